"""Shop activity on the contact's timeline (the contacts addon's interactions)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from core.env import Env

__all__ = ["log_on_timeline", "amount"]


def amount(value: Decimal | str, currency: str) -> str:
    """An amount as the timeline shows it: `12.50 EUR`."""
    return f"{Decimal(value):.2f} {currency}"


def log_on_timeline(env: Env, contact_id: int, subject: str, *, resource: str, record_id: int, at: datetime,
                    body: str | None = None) -> None:
    """An inbound web interaction of the contact concerning the cart or order."""
    env.records.create("interactions", {
        "channel": "web", "direction": "inbound", "subject": subject, "body": body, "occurred_at": at,
        "contact_id": contact_id, "related_model": resource, "related_id": record_id,
    })
