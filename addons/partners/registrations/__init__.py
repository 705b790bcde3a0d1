"""Deal registration: conflicts found on submission, the channel manager's decision, expiry."""
