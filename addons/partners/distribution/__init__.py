"""Lead distribution: leads offered to partners in turn, fairly, within an answer time."""
