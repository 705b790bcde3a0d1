"""Page handlers of the generic web UI, one module per kind of page."""
