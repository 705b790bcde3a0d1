"""Contacts: accounts, people and one timeline of every interaction on every channel."""
from core.addons.manifest import Addon

manifest = Addon(
    name="contacts",
    version="1.2.0",
    summary="Accounts, contacts and the unified customer timeline every other addon uses",
    category="Customer relationship",
    application=True,
)
