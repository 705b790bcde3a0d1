"""Gifts answer appeals: each received donation is announced (`donation_received`, also
to webhook subscribers as `membership.donation_received`), and where campaigns is
installed it is a "donation" conversion crediting the campaigns that reached the donor,
worth its amount when given in the company currency.

Membership does not depend on campaigns: the conversion comes through campaigns' own
hook, implemented as an optional hook that campaigns alone calls."""
from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import signals
from core.db import db
from core.declarations import EventHandler, WebhookEvent
from core.env import Env
from core.events import emit

from addons.membership import signals as membership_signals
from addons.membership.models import Donation

__all__ = ["donation_handlers", "donation_webhook_events", "donation_conversion"]

EVENT = "membership.donation_received"


def _announce(env: Env, donation: Donation) -> None:
    emit(membership_signals.donation_received, "donations", donation=donation, env=env,
         contact_id=donation.contact_id, amount=donation.amount, currency=donation.currency,
         received_on=donation.received_on, appeal=donation.appeal)


def _created(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    if record.status == "received":
        _announce(env, record)


def _created_in_batch(_sender: str, ids: list[int], env: Env, **_kw: Any) -> None:
    received = select(Donation).where(Donation.id.in_(ids), Donation.status == "received").order_by(Donation.id)
    for donation in db.session.scalars(received):
        _announce(env, donation)


def _updated(_sender: str, record: Any, env: Env, changes: dict[str, Any], **_kw: Any) -> None:
    if "status" in changes and record.status == "received":
        _announce(env, record)


def donation_handlers() -> list[EventHandler]:
    """`donation_received` for a gift recorded as received or marked received later."""
    return [EventHandler(signals.record_created, _created, sender="donations", transactional=True,
                         batch=_created_in_batch),
            EventHandler(signals.record_updated, _updated, sender="donations", transactional=True)]


def _gift(_sender: str, donation: Any, env: Env, **payload: Any) -> dict[str, Any]:
    """The JSON a webhook subscriber receives: the donation as the API shows it."""
    return {"donation": Env.system().records.dump("donations", [donation])[0]}


def donation_webhook_events() -> list[WebhookEvent]:
    """membership.donation_received."""
    return [WebhookEvent(EVENT, membership_signals.donation_received, _gift, "A donation was received.")]


def _contact(_sender: Any, contact_id: int | None = None, **_: Any) -> int | None:
    return contact_id


def _amount(_sender: Any, env: Env | None = None, amount: Decimal | None = None, currency: str | None = None,
            **_: Any) -> Decimal | None:
    """The gift's amount when given in the company currency (membership keeps no rates)."""
    company = str(env.platform.settings["company_currency"]).upper() if env is not None else None
    return amount if currency == company else None


def _moment(_sender: Any, received_on: Any = None, **_: Any) -> datetime | None:
    return datetime.combine(received_on, time(12), timezone.utc) if received_on is not None else None


def _reference(_sender: Any, donation: Any = None, **_: Any) -> str | None:
    return f"donations:{donation.id}" if donation is not None else None


def donation_conversion() -> Any:
    """The "donation" conversion campaigns credits (called only when campaigns is loaded)."""
    from addons.campaigns.conversions import ConversionEvent

    return ConversionEvent(EVENT, "donation", _contact, _amount, _moment, _reference)
