"""A full re-sync of a shop's orders from its CSV export, through the kernel's grouped import."""
