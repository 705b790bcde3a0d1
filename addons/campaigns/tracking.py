"""Mail, SMS and call events of a campaign's messages move its delivery rows, and the
campaign's member rows, forward.

The contract with the sender: a campaign email (or SMS) is a kernel `MailMessage` (or
`SmsMessage`) whose `related_model` is "campaign_deliveries" and `related_id` the
delivery's id (and, as for any mail to a contact, `recipient_model` "contacts" and
`recipient_id` the contact). Any message not marked so is none of this addon's business.

A delivery, and the contact's member row of the campaign, only move forward, along
`RANK`; reaching a status stamps its moment and the moments it implies that are still
empty (a click means the mail was delivered and opened). A bounce or an unsubscribe
stamps its moment even when the row already went further. A member's moments are
therefore the first of its deliveries'. The messages a delivery run sent together move
their rows to delivered with two statements. The contact's timeline gets these events
from the contacts addon, which files every mail event on the recipient's timeline."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, case, func, or_, select, update

from core.db import db
from core.declarations import EventHandler
from core.env import Env
from core.mail import signals
from core.records.bulk import one_of, update_rows

from addons.campaigns.models import CampaignDelivery, CampaignMember

__all__ = ["DELIVERY_MODEL", "RANK", "advance", "advance_delivery", "delivery_of", "member_of", "members_sent",
           "members_skipped", "mail_handlers"]

#: The `related_model` of a campaign email or SMS; its `related_id` is the delivery's id.
DELIVERY_MODEL = "campaign_deliveries"
#: How far each status is along the way; a row never moves to a lower rank.
RANK = {"pending": 0, "held": 0, "skipped": 0, "sent": 1, "delivered": 2, "bounced": 3, "opened": 4, "clicked": 5,
        "unsubscribed": 6, "converted": 7}
#: The moments a status implies, stamped when still empty.
_IMPLIED = {
    "sent": ("sent_at",), "delivered": ("sent_at", "delivered_at"), "bounced": ("sent_at", "bounced_at"),
    "opened": ("sent_at", "delivered_at", "opened_at"),
    "clicked": ("sent_at", "delivered_at", "opened_at", "clicked_at"),
    "unsubscribed": ("sent_at", "delivered_at", "unsubscribed_at"), "converted": ("converted_at",),
}
_RESOURCE = {CampaignDelivery: DELIVERY_MODEL, CampaignMember: "campaign_members"}


def delivery_of(message: Any) -> CampaignDelivery | None:
    """The campaign delivery a mail or SMS was sent for, or None for any other message."""
    if message.related_model != DELIVERY_MODEL or not message.related_id:
        return None
    return db.session.get(CampaignDelivery, int(message.related_id))


def member_of(delivery: CampaignDelivery) -> CampaignMember | None:
    """The campaign's member row of the delivery's contact."""
    return db.session.scalar(select(CampaignMember).where(CampaignMember.campaign_id == delivery.campaign_id,
                                                          CampaignMember.contact_id == delivery.contact_id))


def advance(env: Env, row: CampaignDelivery | CampaignMember, status: str, at: datetime) -> None:
    """Move a delivery or a member to `status` unless it is already as far or further, and
    stamp the moments `status` implies that are still empty; through the records service
    as `env`."""
    values: dict[str, Any] = {name: at for name in _IMPLIED[status] if getattr(row, name) is None}
    if RANK[status] > RANK[row.status]:
        values["status"] = status
    if values:
        env.records.update(_RESOURCE[type(row)], row.id, values)


def advance_delivery(env: Env, delivery: CampaignDelivery, status: str, at: datetime) -> None:
    """`advance` the delivery and its contact's member row of the campaign."""
    advance(env, delivery, status, at)
    member = member_of(delivery)
    if member is not None:
        advance(env, member, status, at)


def members_sent(campaign_id: int, contact_ids: Sequence[int], now: datetime) -> None:
    """The campaign reached these contacts at `now`: their member rows still pending or
    skipped become sent, and keep their first moment. One statement."""
    if not contact_ids:
        return
    table = CampaignMember.__table__
    reached = and_(table.c.campaign_id == campaign_id, one_of(table.c.contact_id, contact_ids))
    db.session.execute(update(table).where(reached)
                       .values(status=case((table.c.status.in_(("pending", "skipped")), "sent"),
                                           else_=table.c.status),
                               sent_at=func.coalesce(table.c.sent_at, now), updated_at=now,
                               version=table.c.version + 1))


def members_skipped(campaign_id: int, contact_ids: Sequence[int], now: datetime) -> None:
    """A message skipped these contacts: their member rows the campaign has not reached
    yet say so. One statement."""
    if not contact_ids:
        return
    table = CampaignMember.__table__
    skipped = and_(table.c.campaign_id == campaign_id, one_of(table.c.contact_id, contact_ids))
    db.session.execute(update(table).where(skipped, table.c.status == "pending")
                       .values(status="skipped", updated_at=now, version=table.c.version + 1))


_BEFORE_DELIVERED = tuple(status for status, rank in RANK.items() if rank < RANK["delivered"])


def _first(column: Any, value: Any) -> Any:
    """A moment written only where none is yet."""
    return func.coalesce(column, value)


def _to_delivered(table: Any, rows: list[dict[str, Any]], now: datetime) -> None:
    """Move the rows of `table` (deliveries or members: "id" and the moment as "sent_at"
    and "delivered_at") to delivered, in one statement; moments already stamped stay."""
    update_rows(table, rows, merge={"sent_at": _first, "delivered_at": _first},
                status=case((or_(*(table.c.status == status for status in _BEFORE_DELIVERED)), "delivered"),
                            else_=table.c.status),
                updated_at=now, version=table.c.version + 1)


_DELIVERIES, _MEMBERS = CampaignDelivery.__table__, CampaignMember.__table__


def _delivered(_sender: str, messages: Sequence[Any], env: Env, **_kw: Any) -> None:
    """`advance_delivery` to delivered, at each message's `sent_at`, of the deliveries of
    many sent messages: one UPDATE of the deliveries and one of their members."""
    now = env.now()
    moments = {int(message.related_id): message.sent_at or now for message in messages
               if message.related_model == DELIVERY_MODEL and message.related_id}
    if not moments:
        return
    _to_delivered(_DELIVERIES, [{"id": delivery_id, "sent_at": at, "delivered_at": at}
                                for delivery_id, at in moments.items()], now)
    members = db.session.execute(
        select(_DELIVERIES.c.id, _MEMBERS.c.id).join(_MEMBERS, and_(_MEMBERS.c.campaign_id == _DELIVERIES.c.campaign_id,
                                                                    _MEMBERS.c.contact_id == _DELIVERIES.c.contact_id))
        .where(one_of(_DELIVERIES.c.id, list(moments))))
    _to_delivered(_MEMBERS, [{"id": member_id, "sent_at": moments[delivery_id], "delivered_at": moments[delivery_id]}
                             for delivery_id, member_id in members], now)


def _on(status: str, when: str | None = None) -> Any:
    def handler(_sender: str, message: Any, env: Env, first: bool = True, **_kw: Any) -> None:
        delivery = delivery_of(message)
        if delivery is not None and first:
            moment = getattr(message, when, None) if when else None
            advance_delivery(env.sudo(), delivery, status, moment or env.now())

    handler.__name__ = f"delivery_{status}"
    return handler


def mail_handlers() -> list[EventHandler]:
    """Sent (the SMTP server accepted it: delivered), opened, clicked, bounced, replied to
    (it was read: opened) and unsubscribed."""
    return [
        EventHandler(signals.mail_sent, _delivered, sender="mail"),
        EventHandler(signals.mail_opened, _on("opened", "opened_at"), sender="mail"),
        EventHandler(signals.mail_clicked, _on("clicked", "clicked_at"), sender="mail"),
        EventHandler(signals.mail_bounced, _on("bounced", "bounced_at"), sender="mail"),
        EventHandler(signals.mail_replied, _on("opened"), sender="mail"),
        EventHandler(signals.mail_unsubscribed, _on("unsubscribed", "unsubscribed_at"), sender="mail"),
    ]
