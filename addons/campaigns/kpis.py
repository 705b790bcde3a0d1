"""The campaigns KPI analytics shows (its `analytics_kpis` hook): campaign messages sent
per period, over the deliveries the reader may read."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from core.env import Env

__all__ = ["campaign_kpis", "sent_domain"]


def _moment(day: date) -> str:
    return datetime.combine(day, time(0), timezone.utc).isoformat()


def sent_domain(start: date, end: date) -> list[Any]:
    """Deliveries sent on the days `start` to `end` (UTC)."""
    return [["sent_at", ">=", _moment(start)], ["sent_at", "<", _moment(end + timedelta(days=1))]]


def _sends(env: Env, start: date, end: date) -> Decimal:
    return Decimal(env.records.count("campaign_deliveries", sent_domain(start, end)).value)


def campaign_kpis() -> list[dict[str, Any]]:
    """Campaign sends: deliveries sent in the period (every message of every campaign)."""
    return [dict(name="campaigns.sends", label="Campaign sends", unit="count", value=_sends,
             drill=lambda start, end: ("campaign_deliveries", sent_domain(start, end)))]
