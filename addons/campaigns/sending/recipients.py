"""A message's recipients written into `campaign_members`, set-based: one INSERT ...
SELECT from the segment's query, skipping contacts the campaign already has."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, func, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.db import UtcDateTime, db

from addons.campaigns.audience import audience_of
from addons.campaigns.models import CampaignMember, CampaignMessage
from addons.campaigns.refresh import owner_env
from addons.contacts.models import Contact

__all__ = ["materialise_recipients"]


def materialise_recipients(message: CampaignMessage, now: datetime) -> int:
    """Add every member of the message's segment (as the segment's owner sees it) to the
    campaign as a `pending` member of this message, in one statement; a contact the
    campaign already has keeps their row (ON CONFLICT DO NOTHING on campaign and contact).
    Returns how many members the message has."""
    if message.segment is None:
        return 0
    audience = audience_of(owner_env(message.segment), message.segment)
    columns = ["campaign_id", "message_id", "contact_id", "status", "created_at", "updated_at", "version"]
    rows = select(literal(message.campaign_id, Integer), literal(message.id, Integer), Contact.id,
                  literal("pending", String), literal(now, UtcDateTime), literal(now, UtcDateTime),
                  literal(1, Integer)).where(audience.condition)
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(CampaignMember.__table__).from_select(columns, rows) \
        .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"])
    db.session.execute(statement)
    # Counted afresh: psycopg reports no row count for INSERT ... SELECT ... ON CONFLICT.
    return int(db.session.scalar(select(func.count()).select_from(CampaignMember)
                                 .where(CampaignMember.message_id == message.id)) or 0)
