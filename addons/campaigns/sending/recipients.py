"""A message's recipients written set-based, from the segment's query: one INSERT ...
SELECT of the campaign's member rows its audience lacks, one of the message's deliveries.

A message with an A/B test splits its recipients in the deliveries' statement: the segment's
contacts in a shuffled order that depends only on the contact and the message (so the
same audience always splits the same way), the first `test_share` percent get variant A,
the next `test_share` percent variant B, both `pending`; the rest are `held` until the
winner is chosen (sending.ab)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, case, cast, exists, func, literal, select, true

from core.db import UtcDateTime, db, insert_missing

from addons.campaigns.audience import audience_of
from addons.campaigns.models import CampaignDelivery, CampaignMember, CampaignMessage
from addons.campaigns.refresh import owner_env
from addons.contacts.models import Contact

__all__ = ["materialise_recipients", "delivery_for", "has_held"]

#: Multiplier and modulus of the shuffle (Knuth's multiplicative hash; the modulus is the
#: largest prime under 2**32). Products stay within 64-bit integers for any 32-bit id.
_SHUFFLE_MULTIPLIER = 2654435761
_SHUFFLE_MODULUS = 4294967291


def materialise_recipients(message: CampaignMessage, now: datetime) -> int:
    """Give every member of the message's segment (as the segment's owner sees it) a
    delivery of the message, and a member row of the campaign when they have none, in two
    statements: `pending`, or for an A/B test `pending` with variant A or B on the test
    share and `held` for the rest. A contact who already has the message keeps their
    delivery (ON CONFLICT DO NOTHING on message and contact), and their member row.
    Returns how many deliveries the message has."""
    if message.segment is None:
        return 0
    audience = audience_of(owner_env(message.segment), message.segment)
    stamps = (literal(now, UtcDateTime), literal(now, UtcDateTime), literal(1, Integer))
    stamp_columns = ["created_at", "updated_at", "version"]
    members = select(literal(message.campaign_id, Integer), Contact.id, literal("pending", String), *stamps) \
        .where(audience.condition)
    _insert_missing(CampaignMember, ["campaign_id", "contact_id", "status", *stamp_columns], members,
                    ("campaign_id", "contact_id"))
    contact_id, status, variant = (_ab_split(message, audience.condition) if message.test_share else
                                   (Contact.id, literal("pending", String), literal(None, String)))
    rows = select(literal(message.campaign_id, Integer), literal(message.id, Integer), contact_id, status, variant,
                  *stamps)
    # The A/B rows' condition is inside their subquery; SQLite still needs a WHERE here to
    # read the ON CONFLICT that follows as an upsert rather than a join's ON.
    rows = rows.where(true() if message.test_share else audience.condition)
    _insert_missing(CampaignDelivery, ["campaign_id", "message_id", "contact_id", "status", "variant",
                                       *stamp_columns], rows, ("message_id", "contact_id", "subject"))
    # Counted afresh: psycopg reports no row count for INSERT ... SELECT ... ON CONFLICT.
    return int(db.session.scalar(select(func.count()).select_from(CampaignDelivery)
                                 .where(CampaignDelivery.message_id == message.id)) or 0)


def delivery_for(message: CampaignMessage, contact_id: int, now: datetime, subject: str = "") -> CampaignDelivery:
    """The contact's delivery of the message about `subject` (and their member row of its
    campaign), made pending if absent: one contact, outside a whole send (a journey's
    step, the demo)."""
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    db.session.execute(insert_missing(CampaignMember.__table__, ("campaign_id", "contact_id")).values(
        campaign_id=message.campaign_id, contact_id=contact_id, status="pending", **stamps))
    db.session.execute(insert_missing(CampaignDelivery.__table__, ("message_id", "contact_id", "subject")).values(
        campaign_id=message.campaign_id, message_id=message.id, contact_id=contact_id, subject=subject,
        status="pending", **stamps))
    return db.session.scalars(select(CampaignDelivery).where(CampaignDelivery.message_id == message.id,
                                                             CampaignDelivery.contact_id == contact_id,
                                                             CampaignDelivery.subject == subject)
                              .execution_options(populate_existing=True)).one()


def _insert_missing(model: Any, columns: list[str], rows: Any, unique: tuple[str, ...]) -> None:
    """INSERT ... SELECT `rows` into `model`'s table, leaving the rows already there."""
    db.session.execute(insert_missing(model.__table__, unique).from_select(columns, rows))


def _ab_split(message: CampaignMessage, condition: Any) -> tuple[Any, Any, Any]:
    """The contact id, status and variant columns of an A/B test's rows: each contact's
    rank in the shuffled audience against the audience's size decides its part."""
    # The hash of (contact id + message id): each message cuts the shuffled circle elsewhere.
    salt = message.id * _SHUFFLE_MULTIPLIER % _SHUFFLE_MODULUS
    shuffle = (cast(Contact.id, BigInteger) * literal(_SHUFFLE_MULTIPLIER, BigInteger) + literal(salt, BigInteger)) \
        % literal(_SHUFFLE_MODULUS, BigInteger)
    ranked = select(Contact.id.label("contact_id"),
                    func.row_number().over(order_by=(shuffle, Contact.id)).label("rank"),
                    func.count().over().label("total")).where(condition).subquery()
    share = int(message.test_share or 0)
    in_a = ranked.c.rank * 100 <= ranked.c.total * share
    in_test = ranked.c.rank * 100 <= ranked.c.total * (2 * share)
    status = case((in_test, literal("pending", String)), else_=literal("held", String))
    variant = case((in_a, literal("a", String)), (in_test, literal("b", String)), else_=literal(None, String))
    return ranked.c.contact_id, status, variant


def has_held(message_id: int) -> bool:
    """Whether deliveries of the message wait for its A/B winner."""
    return bool(db.session.scalar(select(exists().where(CampaignDelivery.message_id == message_id,
                                                        CampaignDelivery.status == "held"))))
