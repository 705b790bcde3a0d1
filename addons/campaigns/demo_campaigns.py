"""Demo campaigns: three finished campaigns of the past year with their costs and an email
whose deliveries (and members) make a realistic funnel, and — where sales is installed too — the won
deals they helped close, credited through the attribution models.

The deals are read by resource name through the records service once both addons are
installed (`core.signals.addon_installed`), never by importing sales: a contact of a won
deal is sent the email of the campaigns that ran before the win, touched before it, and
the win is recorded as a conversion (`sales.opportunity_won`, amount in the company
currency, one credit set per deal)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.addons.state import InstalledAddon
from core.db import db
from core.declarations import DataRecord, EventHandler, Ref
from core.env import Env
from core.platform import platform

from addons.campaigns.attribution import Conversion, record_conversion
from addons.campaigns.models import CampaignDelivery, CampaignMessage
from addons.campaigns.sending.recipients import delivery_for
from addons.campaigns.tracking import advance_delivery
from addons.contacts.demo import ACCOUNTS

__all__ = ["DEMO_CAMPAIGNS", "campaign_records", "demo_win_handlers", "credit_demo_wins"]

#: key, name, goal, months ago it started, weeks it ran, channel costs, the subject of its email.
DEMO_CAMPAIGNS = [
    ("spring", "Spring webinar series", "Fill three product webinars with qualified prospects.", 11, 6,
     {"email": "9000", "task": "14000"}, "Three webinars this spring: save your seat"),
    ("summer", "Summer product launch", "Announce the new release to every customer and prospect.", 7, 4,
     {"email": "18000", "sms": "7500"}, "It is here: meet the new release"),
    ("autumn", "Autumn customer day", "Bring key accounts to the customer day and upsell.", 3, 5,
     {"email": "12000", "task": "21000"}, "You are invited to our customer day"),
]
_BODY = ("<p>Hello {{ contact.first_name or 'there' }},</p>"
         "<p>{{ campaign.name }}: everything you need to know is on "
         '<a href="https://www.example.com/events">our events page</a>.</p>'
         "<p>See you soon,<br>The Spectrum team</p>")
#: Share of the members reaching each step, given the one before (sent -> delivered -> opened -> clicked).
_DELIVERED, _OPENED, _CLICKED, _UNSUBSCRIBED = 0.96, 0.42, 0.33, 0.02
#: At most this share of won deals were helped by a demo campaign.
_HELPED = 0.3


def _start(today: date, months_ago: int) -> date:
    return today - timedelta(days=30 * months_ago)


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _member_values(rng: random.Random, sent_at: datetime) -> dict[str, Any]:
    """A member's status and moments: each step reached with its share of the one before."""
    values: dict[str, Any] = {"status": "sent", "sent_at": sent_at.isoformat()}
    if rng.random() >= _DELIVERED:
        values.update(status="bounced", bounced_at=(sent_at + timedelta(minutes=2)).isoformat())
        return values
    delivered = sent_at + timedelta(minutes=1)
    values.update(status="delivered", delivered_at=delivered.isoformat())
    if rng.random() < _OPENED:
        opened = delivered + timedelta(hours=rng.randint(1, 48))
        values.update(status="opened", opened_at=opened.isoformat())
        if rng.random() < _CLICKED:
            values.update(status="clicked", clicked_at=(opened + timedelta(minutes=rng.randint(1, 30))).isoformat())
        elif rng.random() < _UNSUBSCRIBED / _OPENED:
            values.update(status="unsubscribed", unsubscribed_at=(opened + timedelta(minutes=1)).isoformat())
    return values


def campaign_records(seed: int) -> list[DataRecord]:
    """The three campaigns (scheduled, run, then done), their costs, their email and its
    audience: the first contacts of the demo accounts, each sent the email on a day of the
    run (a delivery, and the member row that says the same of the campaign)."""
    rng = random.Random(seed + 17)
    today = platform().clock.now().date()
    records: list[DataRecord] = []
    for key, name, goal, months_ago, weeks, costs, subject in DEMO_CAMPAIGNS:
        starts = _start(today, months_ago)
        ends = starts + timedelta(weeks=weeks)
        xid = f"campaigns.demo_campaign_{key}"
        channels = {f"channel_{channel}": True for channel in costs}
        values = {"name": name, "goal": goal, "starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
                  "budget": str(sum(Decimal(amount) for amount in costs.values()) + 5000), "channel_email": True,
                  **channels, "status": "scheduled"}
        records += [DataRecord(xid, "campaigns", values, at=_moment(starts - timedelta(days=10), 10)),
                    DataRecord(xid, "campaigns", {**values, "status": "running"}, at=_moment(starts, 8)),
                    DataRecord(xid, "campaigns", {**values, "status": "done"}, at=_moment(ends, 18))]
        for channel, amount in costs.items():
            records.append(DataRecord(f"campaigns.demo_cost_{key}_{channel}", "campaign_costs", {
                "campaign_id": Ref(xid), "channel": channel, "amount": amount, "spent_on": starts.isoformat(),
                "note": f"{channel} for {name}"}, at=_moment(starts, 9)))
        message = f"campaigns.demo_message_{key}"
        records.append(DataRecord(message, "campaign_messages", {
            "campaign_id": Ref(xid), "channel": "email", "subject": subject, "body": _BODY,
            "scheduled_at": _moment(starts, 8).isoformat(), "status": "sent"},
            at=_moment(starts - timedelta(days=3), 15)))
        for account in range(1, ACCOUNTS + 1):
            if rng.random() < 0.2:
                continue  # not every account is in every audience
            sent_at = _moment(starts + timedelta(days=rng.randrange(weeks * 7)), rng.randint(8, 11))
            contact, values = Ref(f"contacts.demo_contact_{account}_1"), _member_values(rng, sent_at)
            records += [
                DataRecord(f"campaigns.demo_member_{key}_{account}", "campaign_members", {
                    "campaign_id": Ref(xid), "contact_id": contact, **values}, at=sent_at),
                DataRecord(f"campaigns.demo_delivery_{key}_{account}", "campaign_deliveries", {
                    "campaign_id": Ref(xid), "message_id": Ref(message), "contact_id": contact, **values}, at=sent_at),
            ]
    return records


def credit_demo_wins(env: Env, seed: int = 0) -> int:
    """Credit the demo campaigns with part of the won deals of the past year: the deal's
    contact gets the email of the campaigns that ran in the 90 days before the win (sent,
    opened, sometimes clicked) and the win is recorded as a conversion. Returns the deals
    credited."""
    system = env.sudo()
    rng = random.Random(seed + 29)
    campaigns = system.records.search("campaigns", [["name", "in", [name for _k, name, *_ in DEMO_CAMPAIGNS]]],
                                      limit=len(DEMO_CAMPAIGNS)).records
    won = system.records.search("opportunities", [["status", "=", "won"], ["contact_id", "!=", None]],
                                order=["closed_on"], limit=2000).records
    credited = 0
    for deal in won:
        closed = _moment(deal.closed_on, 16) if deal.closed_on else None
        if closed is None or deal.amount_company is None or rng.random() >= _HELPED:
            continue
        ran = [c for c in campaigns if c.starts_on and timedelta(0) < closed - _moment(c.starts_on, 8) < timedelta(days=90)]
        if not ran:
            continue
        for campaign in ran:
            delivery = _demo_delivery(system, campaign.id, deal.contact_id)
            sent = _moment(campaign.starts_on + timedelta(days=rng.randrange(7)), 9)
            advance_delivery(system, delivery, "sent", sent)
            advance_delivery(system, delivery, "clicked" if rng.random() < 0.8 else "opened",
                             sent + timedelta(hours=3))
        record_conversion(system, Conversion("sales.opportunity_won", "won", deal.contact_id, closed,
                                             Decimal(deal.amount_company), f"opportunities:{deal.id}"))
        credited += 1
    return credited


def _demo_delivery(system: Env, campaign_id: int, contact_id: int) -> CampaignDelivery:
    """The contact's delivery of the demo campaign's email (and their member row), made if absent."""
    message = db.session.scalar(select(CampaignMessage).where(CampaignMessage.campaign_id == campaign_id)
                                .order_by(CampaignMessage.id).limit(1))
    return delivery_for(message, contact_id, system.now())


def _on_installed(sender: str, env: Env, **_kw: Any) -> None:
    # Once both campaigns and sales are installed with demo data, whichever came last.
    if sender not in ("campaigns", "sales"):
        return
    rows = db.session.execute(select(InstalledAddon.name, InstalledAddon.demo)
                              .where(InstalledAddon.name.in_(("campaigns", "sales")))).all()
    if len(rows) == 2 and all(demo for _name, demo in rows):
        credit_demo_wins(env)


def demo_win_handlers() -> list[EventHandler]:
    """Credit the demo campaigns with won demo deals once both addons are installed."""
    from core import signals

    return [EventHandler(signals.addon_installed, _on_installed)]
