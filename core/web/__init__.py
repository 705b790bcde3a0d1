"""The generic web UI: pages rendered from model metadata and the views addons declare."""
