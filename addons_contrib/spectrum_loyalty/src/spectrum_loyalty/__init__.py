"""Loyalty cards for contacts: points earned when customers reach out, redeemed at the desk."""
from core import Addon

manifest = Addon(
    name="spectrum_loyalty",
    version="1.0.0",
    summary="Loyalty cards with tiers and points earned on customer meetings and emails",
    category="Customer relationship",
    depends=("contacts",),
    author="SPECTRUM ERM contributors",
)
