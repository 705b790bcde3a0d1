"""Applying stored shop events to products, carts, orders and contacts (in the job)."""
