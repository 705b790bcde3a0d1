"""Shops' webhooks: verified, read into the generic event format, stored and queued."""
