"""Mail events of a campaign's messages move its member row forward.

The contract with the sender: a campaign email is a kernel `MailMessage` whose
`related_model` is "campaign_members" and `related_id` the member's id (and, as for any
mail to a contact, `recipient_model` "contacts" and `recipient_id` the contact). Any
message not marked so is none of this addon's business.

A member only moves forward, along `RANK`; reaching a status stamps its moment and the
moments it implies that are still empty (a click means the mail was delivered and
opened). A bounce or an unsubscribe stamps its moment even when the member already went
further. The messages a delivery run sent together move their members to delivered with
one statement. The contact's timeline gets these events from the contacts addon, which
files every mail event on the recipient's timeline."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, case, func, or_, update

from core.db import db
from core.declarations import EventHandler
from core.env import Env
from core.mail import signals

from addons.campaigns.models import CampaignMember

__all__ = ["MEMBER_MODEL", "RANK", "advance", "member_of", "mail_handlers"]

#: The `MailMessage.related_model` of a campaign email; its `related_id` is the member's id.
MEMBER_MODEL = "campaign_members"
#: How far each status is along a member's way; a member never moves to a lower rank.
RANK = {"pending": 0, "sent": 1, "delivered": 2, "bounced": 3, "opened": 4, "clicked": 5, "unsubscribed": 6,
        "converted": 7}
#: The moments a status implies, stamped when still empty.
_IMPLIED = {
    "sent": ("sent_at",), "delivered": ("sent_at", "delivered_at"), "bounced": ("sent_at", "bounced_at"),
    "opened": ("sent_at", "delivered_at", "opened_at"),
    "clicked": ("sent_at", "delivered_at", "opened_at", "clicked_at"),
    "unsubscribed": ("sent_at", "delivered_at", "unsubscribed_at"), "converted": ("converted_at",),
}


def member_of(message: Any) -> CampaignMember | None:
    """The campaign member a mail was sent to, or None for any other mail."""
    if message.related_model != MEMBER_MODEL or not message.related_id:
        return None
    return db.session.get(CampaignMember, int(message.related_id))


def advance(env: Env, member: CampaignMember, status: str, at: datetime) -> CampaignMember:
    """Move `member` to `status` unless it is already as far or further, and stamp the
    moments `status` implies that are still empty; through the records service as `env`."""
    values: dict[str, Any] = {name: at for name in _IMPLIED[status] if getattr(member, name) is None}
    if RANK[status] > RANK[member.status]:
        values["status"] = status
    if values:
        env.records.update(MEMBER_MODEL, member.id, values)
    return member


_BEFORE_DELIVERED = tuple(status for status, rank in RANK.items() if rank < RANK["delivered"])
_TABLE = CampaignMember.__table__
_DELIVERED = update(_TABLE).where(_TABLE.c.id == bindparam("member_id")).values(
    # OR of equalities, not IN: an IN list is expanded per execution, which executemany cannot do.
    status=case((or_(*(_TABLE.c.status == status for status in _BEFORE_DELIVERED)), "delivered"),
                else_=_TABLE.c.status),
    sent_at=func.coalesce(_TABLE.c.sent_at, bindparam("at")),
    delivered_at=func.coalesce(_TABLE.c.delivered_at, bindparam("at")),
    updated_at=bindparam("now"), version=_TABLE.c.version + 1)


def _delivered(_sender: str, messages: Sequence[Any], env: Env, **_kw: Any) -> None:
    """`advance` to delivered, at each message's `sent_at`, of the members of many sent
    messages: one UPDATE statement for them all."""
    now = env.now()
    rows = [{"member_id": int(message.related_id), "at": message.sent_at or now, "now": now}
            for message in messages if message.related_model == MEMBER_MODEL and message.related_id]
    if rows:
        db.session.execute(_DELIVERED, rows)


def _on(status: str, when: str | None = None) -> Any:
    def handler(_sender: str, message: Any, env: Env, first: bool = True, **_kw: Any) -> None:
        member = member_of(message)
        if member is not None and first:
            moment = getattr(message, when, None) if when else None
            advance(env.sudo(), member, status, moment or env.now())

    handler.__name__ = f"member_{status}"
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
