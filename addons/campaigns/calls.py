"""Call lists: a campaign's `task` message gives each member a call to make, assigned to
the contact's owner (else the campaign's owner), who works through "My call list" and
says what each call came to.

The outcome is logged as an outbound phone interaction on the contact's timeline, as the
caller (so their Contacts role must let them log it), and moves the member along the
funnel like an email's events do: a call that reached the person counts as delivered and
opened (they heard the message), a wrong number as a bounce; no answer and not
interested leave the member at sent. A member's call is answered once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.mail.consent import blocking_consent
from core.records.errors import NotFound, ValidationFailed

from addons.campaigns.models import Campaign, CampaignMember, CampaignMessage
from addons.campaigns.models.choices import CALL_OUTCOMES
from addons.campaigns.tracking import advance
from addons.contacts.models import Contact

__all__ = ["assign_calls", "record_outcome", "my_calls", "phone_of", "OUTCOME_STATUS"]

#: The member status each outcome moves a member to (None: it stays where it is).
OUTCOME_STATUS: dict[str, str | None] = {"reached": "opened", "no_answer": None, "not_interested": None,
                                         "wrong_number": "bounced"}


def phone_of(contact: Contact) -> str | None:
    """The number to call: the phone, else the mobile."""
    return contact.phone or contact.mobile or None


def assign_calls(message: CampaignMessage, members: Iterable[CampaignMember], contacts: dict[int, Contact],
                 now: datetime) -> dict[int, str | None]:
    """Give each claimed member of a call-list message their caller; returns, per member
    id, why it was skipped (no number, phone consent withdrawn for the campaign's topic)
    or None when its call is on a list."""
    campaign: Campaign = message.campaign
    channel = phone_channel(campaign.topic)
    reasons: dict[int, str | None] = {}
    for member in members:
        contact = contacts[member.contact_id]
        number = phone_of(contact)
        # Consent is kept per normalised number (E.164), as the phone field is typed.
        key = contact.phone_key if contact.phone else contact.mobile_key
        blocked = blocking_consent(key or number, channel) if number else None
        if number is None:
            reasons[member.id] = "no phone number"
        elif blocked is not None:
            reasons[member.id] = f"consent {blocked.state} for {blocked.channel}"
        else:
            member.assignee_id = contact.owner_id or campaign.owner_id
            reasons[member.id] = None
    return reasons


def phone_channel(topic: str) -> str:
    """The consent channel of a campaign's calls: its topic on the phone channel
    (`email.marketing.spring` -> `phone.marketing.spring`)."""
    _channel, _dot, rest = topic.partition(".")
    return f"phone.{rest}" if rest else "phone"


def my_calls(env: Env, *, done: bool, limit: int = 200) -> list[CampaignMember]:
    """The calls assigned to `env`'s user still to make (or, `done`, the latest made),
    read through the records service."""
    assert env.user is not None
    domain: list[Any] = [["assignee_id", "=", env.user.id], ["status", "!=", "skipped"],
                         ["call_outcome", "!=" if done else "=", None]]
    order = "-called_at" if done else "id"
    return list(env.records.search("campaign_members", domain, order=order, limit=limit).records)


def record_outcome(env: Env, member_id: int, outcome: str, note: str = "") -> CampaignMember:
    """Say what the call to a member came to, as its caller: the interaction on the
    contact's timeline (as `env`'s user), the outcome on the member and its funnel step.
    A call that is not the user's is NotFound; an outcome that is not one, or a second
    answer, is ValidationFailed naming the field."""
    if outcome not in OUTCOME_STATUS:
        choices = ", ".join(value for value, _label in CALL_OUTCOMES)
        raise ValidationFailed({"call_outcome": [f"{outcome!r} is not an outcome: choose {choices}."]})
    member = env.records.get("campaign_members", member_id)
    if env.user is None or member.assignee_id != env.user.id:
        raise NotFound(f"campaign_members {member_id} is not on your call list")
    if member.call_outcome is not None:
        raise ValidationFailed({"call_outcome": ["This call already has its outcome."]})
    label = dict(CALL_OUTCOMES)[outcome]
    message = db.session.get(CampaignMessage, member.message_id) if member.message_id else None
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == member.campaign_id))
    now = env.now()
    env.records.create("interactions", {
        "channel": "phone", "direction": "outbound", "occurred_at": now, "contact_id": member.contact_id,
        "user_id": env.user.id,
        "subject": f"Call for {campaign.name}: {label}",
        "body": "\n\n".join(part for part in ((message.task_summary if message else ""), note.strip()) if part) or None})
    system = env.sudo()
    system.records.update("campaign_members", member.id, {"call_outcome": outcome, "called_at": now})
    status = OUTCOME_STATUS[outcome]
    if status is not None:
        advance(system, member, status, now)
    return member
