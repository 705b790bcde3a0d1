"""The KPI targets analytics managers set, and the KPI digests users subscribe to."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import UtcDateTime
from core.models.types import JsonType
from core.records.errors import ValidationFailed

__all__ = ["KpiTarget", "KpiSubscription", "PERIOD_KINDS", "FREQUENCIES", "KPI_DIRECTIONS"]

#: The periods a KPI figure is shown over.
PERIOD_KINDS = [("month", "Month"), ("quarter", "Quarter"), ("week", "Week")]
#: How often a digest is sent (each covering the period just ended).
FREQUENCIES = [("weekly", "Weekly"), ("monthly", "Monthly")]
KPI_DIRECTIONS = [("up", "More is better"), ("down", "Less is better")]


def _known_kpis(env: Any) -> set[str]:
    from addons.analytics.sources import kpis_of

    return {kpi.name for kpi in kpis_of(env.platform)}


class KpiTarget(Record):
    """What a KPI aims at over one kind of period, set by an analytics manager; it stands
    in for the target the KPI's addon declares (which holds for months only, unless the
    KPI is a rate, a percentage or a duration, which hold over any period)."""

    __tablename__ = "analytics_kpi_targets"
    __label__ = "KPI target"
    __display_field__ = "kpi"
    __order__ = ["kpi", "period"]
    __table_args__ = (UniqueConstraint("kpi", "period"),)

    kpi: Mapped[str] = field(String(80), label="KPI", required=True,
                             help="The KPI's name, as Analytics › KPIs shows it (sales.won_revenue).")
    period: Mapped[str] = field(String(10), label="Period", choices=PERIOD_KINDS, required=True, default="month")
    target: Mapped[Decimal] = field(Numeric(24, 8), label="Target", required=True)
    direction: Mapped[str | None] = field(String(4), label="Direction", choices=KPI_DIRECTIONS,
                                          help="Empty: the KPI's own (more or less is better).")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse a target for a KPI no installed addon declares."""
        if self.kpi not in _known_kpis(env):
            raise ValidationFailed({"kpi": [f"no installed addon declares the KPI {self.kpi!r}"]})


class KpiSubscription(Record):
    """A user's digest: the KPIs they chose, sent to them weekly or monthly, computed as
    them. `last_period` names the period last sent, so a period is never sent twice."""

    __tablename__ = "analytics_kpi_subscriptions"
    __label__ = "KPI digest"
    __order__ = ["-id"]
    __sort_scopes__ = ("user_id",)

    user_id: Mapped[int] = field(ForeignKey("users.id", ondelete="CASCADE"), label="User", required=False,
                                 nullable=False,
                                 help="Empty: whoever creates it.")
    kpis: Mapped[list[str]] = field(JsonType, label="KPIs", required=True,
                                    help="The names of the KPIs the digest shows (sales.won_revenue, ...).")
    frequency: Mapped[str] = field(String(10), label="Frequency", choices=FREQUENCIES, required=True,
                                   default="monthly")
    last_period: Mapped[str | None] = field(String(20), label="Last period sent", readonly=True)
    last_sent_at: Mapped[datetime | None] = field(UtcDateTime, label="Last sent", readonly=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Default the user to the author; refuse an empty list or a KPI no addon declares."""
        if self.user_id is None and env.user is not None:
            self.user_id = env.user.id
        chosen = self.kpis
        if not isinstance(chosen, list) or not chosen or not all(isinstance(name, str) for name in chosen):
            raise ValidationFailed({"kpis": ["give a list of one or more KPI names"]})
        unknown = sorted(set(chosen) - _known_kpis(env))
        if unknown:
            raise ValidationFailed({"kpis": [f"unknown KPI: {', '.join(unknown)}"]})
