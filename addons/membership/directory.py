"""The member directory: opted-in members with a live membership, searchable by name,
city and level, each showing only the fields they chose to share.

Read as the platform (a member may not read other contacts), over the listed entries
only, and answered as plain rows that never carry an unshared field."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_, select

from core.db import db
from core.env import Env

from addons.contacts.models import Contact
from addons.membership.models import DirectoryEntry, Membership, MembershipType
from addons.membership.models.directory import SHAREABLE
from addons.membership.periods import LIVE_STATUSES

__all__ = ["search_directory"]


def search_directory(env: Env, *, name: str = "", city: str = "", level_id: int | None = None,
                     limit: int = 50) -> list[dict[str, Any]]:
    """Listed members matching the name, the city (only where they share it) and the level."""
    system = env.sudo()
    live = and_(Membership.contact_id == Contact.id, Membership.status.in_(LIVE_STATUSES))
    if level_id is not None:
        live = and_(live, Membership.type_id == level_id)
    # The level shown: that of the member's latest live membership (of the level searched).
    level = (select(MembershipType.name).join(Membership, Membership.type_id == MembershipType.id).where(live)
             .order_by(Membership.start_date.desc(), Membership.id.desc()).limit(1).scalar_subquery())
    query = (system.records.select("directory_entries", [["listed", "=", True]])
             .join(Contact, Contact.id == DirectoryEntry.contact_id)
             .where(exists().where(live))
             .with_only_columns(DirectoryEntry, Contact, level)
             .order_by(Contact.last_name, Contact.first_name, Contact.id))
    if name.strip():
        pattern = f"%{name.strip()}%"
        query = query.where(or_(Contact.first_name.ilike(pattern), Contact.last_name.ilike(pattern)))
    if city.strip():
        query = query.where(DirectoryEntry.share_city.is_(True), Contact.city.ilike(city.strip()))
    rows: list[dict[str, Any]] = []
    for entry, contact, level_name in db.session.execute(query.limit(limit)):
        row = {"name": " ".join(p for p in (contact.first_name, contact.last_name) if p), "level": level_name}
        row.update({key: getattr(contact, key) for key in SHAREABLE if getattr(entry, f"share_{key}")})
        rows.append(row)
    return rows
