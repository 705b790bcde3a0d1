"""Finding abandoned carts, and carts the rescue lost."""
