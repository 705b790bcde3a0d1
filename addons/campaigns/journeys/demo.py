"""The demo's running journey, "Welcome series": new contacts get a welcome email, three
days later the engaged ones (they opened it) are tagged and sent an offer, the others a
reminder.

The journey, its segment, campaign, messages and steps are shipped data; its members are
written once the addon is installed with demo data, entered over the past six weeks and
each at the position their entry date gives, with the step runs, the campaign member
row, the deliveries and the mail log rows (sent, some opened) that position implies. Only then is the
journey activated, so the sweep finds nobody new to mail."""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.addons.data import resolve_xid
from core.addons.state import InstalledAddon
from core.db import db
from core.declarations import DataRecord, EventHandler, Ref
from core.env import Env
from core.mail.models import MailMessage
from core.platform import platform

from addons.campaigns.models import CampaignDelivery, CampaignMember, CampaignMessage, JourneyMember, \
    JourneyStepRun, segment_memberships
from addons.campaigns.sending.render import render_email
from addons.campaigns.tracking import DELIVERY_MODEL
from addons.contacts.models import Contact

__all__ = ["journey_records", "populate_demo_journey", "demo_journey_handlers", "JOURNEY"]

JOURNEY = "campaigns.demo_journey_welcome"
_CAMPAIGN = "campaigns.demo_campaign_welcome"
#: (key, subject, body) of the journey's three emails.
_MESSAGES = [
    ("welcome", "Welcome to Spectrum",
     "<p>Hello {{ contact.first_name or 'there' }},</p><p>Thank you for joining us. "
     '<a href="https://www.example.com/getting-started">Here is how to get started</a>.</p>'),
    ("offer", "20% off your first order",
     '<p>Glad you are with us, {{ contact.first_name or "friend" }}. '
     '<a href="https://www.example.com/offer">Your offer</a> is valid for 14 days.</p>'),
    ("reminder", "Did you see our welcome?",
     '<p>In case you missed it: <a href="https://www.example.com/getting-started">getting started</a>.</p>'),
]
#: The steps, by position: kind, config, then / yes / no (positions).
_STEPS: list[tuple[int, str, dict[str, Any], dict[str, int]]] = [
    (1, "send", {"message_id": "welcome"}, {"then": 2}),
    (2, "wait", {"days": 3}, {"then": 3}),
    (3, "branch", {"condition": "opened"}, {"yes": 4, "no": 6}),
    (4, "update", {"field": "tags", "add": "engaged"}, {"then": 5}),
    (5, "send", {"message_id": "offer"}, {}),
    (6, "send", {"message_id": "reminder"}, {"then": 7}),
    (7, "exit", {}, {}),
]
_OPENED = 0.45
_WEEKS = 6


def _step_xid(position: int) -> str:
    return f"{JOURNEY}_step_{position}"


def journey_records() -> list[DataRecord]:
    """The segment of new contacts, the Welcome series campaign with its three emails, the
    journey (in draft until its members are written) and its steps, last first so that
    every step names steps that already exist."""
    records = [
        DataRecord("campaigns.demo_segment_new", "segments", {
            "name": "New contacts", "kind": "dynamic", "description": "Contacts added in the last 120 days.",
            "filter": [["created_at", ">=", {"$now": {"days": -120}}]]}),
        DataRecord(_CAMPAIGN, "campaigns", {"name": "Welcome series", "goal": "Turn new contacts into customers.",
                                            "channel_email": True, "status": "draft"}),
        DataRecord(_CAMPAIGN, "campaigns", {"name": "Welcome series", "goal": "Turn new contacts into customers.",
                                            "channel_email": True, "status": "running"}),
        *[DataRecord(f"{_CAMPAIGN}_{key}", "campaign_messages", {"campaign_id": Ref(_CAMPAIGN), "subject": subject,
                                                                  "body": body}) for key, subject, body in _MESSAGES],
        DataRecord(JOURNEY, "journeys", {"name": "Welcome series", "entry_kind": "segment",
                                         "entry_segment_id": Ref("campaigns.demo_segment_new"), "status": "draft",
                                         "campaign_id": Ref(_CAMPAIGN)},
                   noupdate=True),
    ]
    for position, kind, config, links in reversed(_STEPS):
        values: dict[str, Any] = {"journey_id": Ref(JOURNEY), "position": position, "kind": kind,
                                  "config": {key: Ref(f"{_CAMPAIGN}_{value}") if key == "message_id" else value
                                             for key, value in config.items()}}
        values.update({("next_step_id" if link == "then" else f"{link}_step_id"): Ref(_step_xid(target))
                       for link, target in links.items()})
        records.append(DataRecord(_step_xid(position), "journey_steps", values))
    return records


class _Writer:
    """Writes one member's history: step runs, the emails with their deliveries and the campaign
    member row."""

    def __init__(self, env: Env, campaign_id: int, steps: dict[int, int], messages: dict[str, CampaignMessage]):
        self.env, self.campaign_id, self.steps, self.messages = env, campaign_id, steps, messages
        self.mail_from = platform().settings["mail_from"]

    def run(self, member: JourneyMember, position: int, outcome: str, at: datetime, mail_id: int | None = None) -> None:
        db.session.add(JourneyStepRun(member_id=member.id, step_id=self.steps[position], outcome=outcome,
                                      mail_id=mail_id, ran_at=at, created_at=at, updated_at=at, version=1))

    def mail(self, contact: Contact, row: CampaignMember, key: str, at: datetime, opened: datetime | None) -> int:
        """The message's email to the contact, sent at `at` (and opened then, if given):
        its mail log row, its delivery, and the member row moved on."""
        message = self.messages[key]
        delivered = at + timedelta(minutes=1)
        status = "opened" if opened is not None else "delivered"
        delivery = CampaignDelivery(campaign_id=self.campaign_id, message_id=message.id, contact_id=contact.id,
                                    status=status, sent_at=at, delivered_at=delivered, opened_at=opened,
                                    created_at=at, updated_at=at, version=1)
        db.session.add(delivery)
        db.session.flush()
        rendered = render_email(self.env, message, contact)
        mail = MailMessage(to_address=contact.email, to_name=f"{contact.first_name} {contact.last_name}",
                           from_address=self.mail_from, subject=rendered.subject, body_html=str(rendered.html),
                           channel="email.marketing", status="sent", related_model=DELIVERY_MODEL,
                           related_id=delivery.id, recipient_model="contacts", recipient_id=contact.id,
                           message_id=f"<demo-journey-{secrets.token_hex(8)}@spectrum.example>", sent_at=at,
                           opened_at=opened, last_opened_at=opened, open_count=1 if opened else 0, unsubscribe=True,
                           attempts=1, created_at=at, updated_at=at, version=1)
        db.session.add(mail)
        db.session.flush()
        row.sent_at = row.sent_at or at
        row.delivered_at = row.delivered_at or delivered
        if opened is not None:
            row.opened_at, row.status = row.opened_at or opened, "opened"
        elif row.status not in ("opened", "clicked"):
            row.status = "delivered"
        return int(mail.id)


def populate_demo_journey(env: Env, seed: int = 0) -> int:
    """Write the demo journey's members from its segment's members, then activate it;
    returns how many members it has."""
    rng = random.Random(seed + 41)
    system = env.sudo()
    journey_id = resolve_xid(JOURNEY).record_id
    journey = system.records.get("journeys", journey_id)
    steps = {position: resolve_xid(_step_xid(position)).record_id for position, *_ in _STEPS}
    messages = {key: db.session.get(CampaignMessage, resolve_xid(f"{_CAMPAIGN}_{key}").record_id)
                for key, *_ in _MESSAGES}
    writer = _Writer(system, resolve_xid(_CAMPAIGN).record_id, steps, messages)
    now = env.now()
    contact_ids = list(db.session.scalars(select(segment_memberships.c.contact_id).where(
        segment_memberships.c.segment_id == journey.entry_segment_id).order_by(segment_memberships.c.contact_id)))
    for contact_id in contact_ids:
        contact = db.session.get(Contact, contact_id)
        earliest = max(contact.created_at, now - timedelta(weeks=_WEEKS))
        entered = earliest + (now - earliest) * rng.random()
        _write_member(writer, journey_id, contact, entered, now, rng)
    db.session.flush()
    system.records.update("journeys", journey_id, {"status": "active"})
    return len(contact_ids)


def _write_member(writer: _Writer, journey_id: int, contact: Contact, entered: datetime, now: datetime,
                  rng: random.Random) -> None:
    """One member at the position `entered` gives: waiting at the branch for three days,
    then done along the yes or the no side."""
    member = JourneyMember(journey_id=journey_id, contact_id=contact.id, status="waiting",
                           current_step_id=writer.steps[3], next_run_at=entered + timedelta(days=3),
                           created_at=entered, updated_at=entered, version=1)
    db.session.add(member)
    row = CampaignMember(campaign_id=writer.campaign_id, contact_id=contact.id, status="sent", created_at=entered,
                         updated_at=entered, version=1)
    db.session.add(row)
    db.session.flush()
    opened = entered + timedelta(hours=rng.randint(1, 60)) if rng.random() < _OPENED else None
    branch_at = entered + timedelta(days=3)
    writer.run(member, 1, "sent", entered, writer.mail(contact, row, "welcome", entered,
                                                      opened if opened and opened < now else None))
    writer.run(member, 2, f"waits until {branch_at.isoformat(timespec='minutes')}", entered)
    if branch_at > now:
        return
    if opened is not None:
        writer.run(member, 3, "yes", branch_at)
        tags = [tag.name for tag in contact.tags]
        if "engaged" not in tags:
            writer.env.records.update("contacts", contact.id, {"tags": [*tags, "engaged"]})
        writer.run(member, 4, "+engaged", branch_at)
        writer.run(member, 5, "sent", branch_at, writer.mail(contact, row, "offer", branch_at, None))
    else:
        writer.run(member, 3, "no", branch_at)
        writer.run(member, 6, "sent", branch_at, writer.mail(contact, row, "reminder", branch_at, None))
        writer.run(member, 7, "exited", branch_at)
    member.status, member.current_step_id, member.next_run_at, member.updated_at = "done", None, None, branch_at


def _on_installed(sender: str, env: Env, **_kw: Any) -> None:
    if sender != "campaigns":
        return
    demo = db.session.scalar(select(InstalledAddon.demo).where(InstalledAddon.name == "campaigns"))
    if demo:
        populate_demo_journey(env)


def demo_journey_handlers() -> list[EventHandler]:
    """Write the demo journey's members once campaigns is installed with demo data."""
    from core import signals

    return [EventHandler(signals.addon_installed, _on_installed)]
