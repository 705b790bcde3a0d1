"""Winning abandoned carts back through the shop's rescue journey: who enters it, what its
messages say about the cart (lines, restore link, coupon), when a member leaves it (the
cart bought or emptied), and which order it recovered."""
