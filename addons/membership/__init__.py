"""Membership: membership levels, members' memberships with their status rules and renewals."""
from core.addons.manifest import Addon

manifest = Addon(
    name="membership",
    version="1.0.0",
    summary="Membership levels and memberships of contacts and accounts, their statuses (new, current, "
            "grace, expired), payments and renewals",
    category="Membership",
    depends=("contacts",),
    application=True,
)
