"""Call lists: a campaign's `task` message gives each contact a call to make, assigned to
the contact's owner (else the campaign's owner), who works through "My call list" and
says what each call came to.

The outcome is logged as an outbound phone interaction on the contact's timeline, as the
caller (so their Contacts role must let them log it), and moves the call's delivery (and
the contact's member row of the campaign) along the funnel like an email's events do: a
call that reached the person counts as delivered and opened (they heard the message), a
wrong number as a bounce; no answer and not interested leave it at sent. A call is
answered once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.mail.consent import blocking_consent
from core.records.errors import NotFound, ValidationFailed

from addons.campaigns.models import Campaign, CampaignDelivery, CampaignMessage
from addons.campaigns.models.choices import CALL_OUTCOMES
from addons.campaigns.tracking import DELIVERY_MODEL, advance_delivery
from addons.contacts.models import Contact

__all__ = ["assign_calls", "record_outcome", "my_calls", "phone_of", "OUTCOME_STATUS"]

#: The status each outcome moves a call's delivery to (None: it stays where it is).
OUTCOME_STATUS: dict[str, str | None] = {"reached": "opened", "no_answer": None, "not_interested": None,
                                         "wrong_number": "bounced"}


def phone_of(contact: Contact) -> str | None:
    """The number to call: the phone, else the mobile."""
    return contact.phone or contact.mobile or None


def assign_calls(message: CampaignMessage, deliveries: Iterable[CampaignDelivery], contacts: dict[int, Contact],
                 now: datetime) -> dict[int, str | None]:
    """Give each claimed delivery of a call-list message its caller; returns, per delivery
    id, why it was skipped (no number, phone consent withdrawn for the campaign's topic)
    or None when its call is on a list."""
    campaign: Campaign = message.campaign
    channel = phone_channel(campaign.topic)
    reasons: dict[int, str | None] = {}
    for delivery in deliveries:
        contact = contacts[delivery.contact_id]
        number = phone_of(contact)
        # Consent is kept per normalised number (E.164), as the phone field is typed.
        key = contact.phone_key if contact.phone else contact.mobile_key
        blocked = blocking_consent(key or number, channel) if number else None
        if number is None:
            reasons[delivery.id] = "no phone number"
        elif blocked is not None:
            reasons[delivery.id] = f"consent {blocked.state} for {blocked.channel}"
        else:
            delivery.assignee_id = contact.owner_id or campaign.owner_id
            reasons[delivery.id] = None
    return reasons


def phone_channel(topic: str) -> str:
    """The consent channel of a campaign's calls: its topic on the phone channel
    (`email.marketing.spring` -> `phone.marketing.spring`)."""
    _channel, _dot, rest = topic.partition(".")
    return f"phone.{rest}" if rest else "phone"


def my_calls(env: Env, *, done: bool, limit: int = 200) -> list[CampaignDelivery]:
    """The calls assigned to `env`'s user still to make (or, `done`, the latest made),
    read through the records service."""
    assert env.user is not None
    domain: list[Any] = [["assignee_id", "=", env.user.id], ["status", "!=", "skipped"],
                         ["call_outcome", "!=" if done else "=", None]]
    order = "-called_at" if done else "id"
    return list(env.records.search(DELIVERY_MODEL, domain, order=order, limit=limit).records)


def record_outcome(env: Env, delivery_id: int, outcome: str, note: str = "") -> CampaignDelivery:
    """Say what a call came to, as its caller: the interaction on the contact's timeline
    (as `env`'s user), the outcome on the call's delivery and its funnel step.
    A call that is not the user's is NotFound; an outcome that is not one, or a second
    answer, is ValidationFailed naming the field."""
    if outcome not in OUTCOME_STATUS:
        choices = ", ".join(value for value, _label in CALL_OUTCOMES)
        raise ValidationFailed({"call_outcome": [f"{outcome!r} is not an outcome: choose {choices}."]})
    delivery = env.records.get(DELIVERY_MODEL, delivery_id)
    if env.user is None or delivery.assignee_id != env.user.id:
        raise NotFound(f"{DELIVERY_MODEL} {delivery_id} is not on your call list")
    if delivery.call_outcome is not None:
        raise ValidationFailed({"call_outcome": ["This call already has its outcome."]})
    label = dict(CALL_OUTCOMES)[outcome]
    message = db.session.get(CampaignMessage, delivery.message_id)
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == delivery.campaign_id))
    now = env.now()
    env.records.create("interactions", {
        "channel": "phone", "direction": "outbound", "occurred_at": now, "contact_id": delivery.contact_id,
        "user_id": env.user.id,
        "subject": f"Call for {campaign.name}: {label}",
        "body": "\n\n".join(part for part in ((message.task_summary if message else ""), note.strip()) if part) or None})
    system = env.sudo()
    system.records.update(DELIVERY_MODEL, delivery.id, {"call_outcome": outcome, "called_at": now})
    status = OUTCOME_STATUS[outcome]
    if status is not None:
        advance_delivery(system, delivery, status, now)
    return delivery
