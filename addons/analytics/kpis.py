"""KPI figures: each KPI of the installed addons over the last periods, as the reader
(their record rules apply), with its target, whether it is met and the change from the
period before."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Sequence
from urllib.parse import urlencode

from core.env import Env
from core.records.errors import AccessDenied

from addons.analytics.periods import Period, periods_to
from addons.analytics.sources import Kpi, kpis_of

__all__ = ["KpiFigure", "Figures", "kpi_figures", "targets", "drill_url", "ANY_PERIOD_UNITS"]

#: Units whose target holds over any period (a rate or a duration, not a total).
ANY_PERIOD_UNITS = frozenset({"percent", "days", "hours"})


@dataclass(frozen=True)
class KpiFigure:
    """A KPI's values over `periods` (oldest first; None where nothing was measured), its
    target and direction for that kind of period."""

    kpi: Kpi
    periods: Sequence[Period]
    values: Sequence[Decimal | None]
    target: Decimal | None
    direction: str

    @property
    def current(self) -> Decimal | None:
        """The value of the last period (the one holding the day asked about)."""
        return self.values[-1]

    @property
    def previous(self) -> Decimal | None:
        """The value of the period before it."""
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def change(self) -> Decimal | None:
        """The current value minus the previous one (None when either is missing)."""
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def met(self) -> bool | None:
        """Whether the current value reaches the target in the KPI's direction (None: no
        target or no value)."""
        if self.target is None or self.current is None:
            return None
        return self.current >= self.target if self.direction == "up" else self.current <= self.target

    @property
    def improved(self) -> bool | None:
        """Whether the change goes the KPI's way (None: no change to judge)."""
        if not self.change:
            return None
        return (self.change > 0) == (self.direction == "up")

    def drill(self, index: int = -1) -> str | None:
        """The list of the records behind the value of period `index`, if the KPI says."""
        return drill_url(self.kpi, self.periods[index])


@dataclass(frozen=True)
class Figures:
    """The figures of every KPI the reader may compute, and how long they took."""

    periods: Sequence[Period]
    figures: Sequence[KpiFigure]
    milliseconds: float


def drill_url(kpi: Kpi, period: Period) -> str | None:
    """The generic list of the records behind `kpi` over `period`, filtered by its domain."""
    if kpi.drill is None:
        return None
    resource, domain = kpi.drill(period.start, period.end)
    return f"/m/{resource}?" + urlencode({"filter": json.dumps(domain, separators=(",", ":"))})


def targets(env: Env, kind: str) -> dict[str, tuple[Decimal, str | None]]:
    """The targets analytics managers set for periods of `kind`: name -> (target, direction);
    none for a reader who may not read them (the declared targets then hold)."""
    if not env.policy.can("analytics_kpi_targets", "read"):
        return {}
    rows = env.records.iterate("analytics_kpi_targets", [["period", "=", kind]])
    return {row.kpi: (Decimal(row.target), row.direction) for row in rows}


def _target(kpi: Kpi, kind: str, configured: dict[str, tuple[Decimal, str | None]]) -> tuple[Decimal | None, str]:
    if kpi.name in configured:
        target, direction = configured[kpi.name]
        return target, direction or kpi.direction
    declared = kpi.target if kind == "month" or kpi.unit in ANY_PERIOD_UNITS else None
    return declared, kpi.direction


def _values(env: Env, kpi: Kpi, periods: Sequence[Period]) -> list[Decimal | None] | None:
    try:
        if kpi.series is not None:
            found = list(kpi.series(env, [(period.start, period.end) for period in periods]))
        else:
            found = [kpi.value(env, period.start, period.end) for period in periods]
    except AccessDenied:
        return None  # the reader may not read what the KPI counts: no figure for them
    if len(found) != len(periods):
        raise ValueError(f"addon {kpi.addon!r}: KPI {kpi.name!r}: `series` gave {len(found)} values "
                         f"for {len(periods)} periods")
    return [None if value is None else Decimal(value) for value in found]


def kpi_figures(env: Env, kind: str, day: date, *, count: int = 12, names: Sequence[str] | None = None) -> Figures:
    """The figures of the KPIs (all, or those named) over the `count` periods of `kind` up
    to the one holding `day`, computed as `env`'s user; a KPI over records they may not
    read is left out."""
    started = time.perf_counter()
    periods = periods_to(kind, day, count)
    configured = targets(env, kind)
    figures = []
    for kpi in kpis_of(env.platform):
        if names is not None and kpi.name not in names:
            continue
        values = _values(env, kpi, periods)
        if values is not None:
            target, direction = _target(kpi, kind, configured)
            figures.append(KpiFigure(kpi, periods, values, target, direction))
    return Figures(periods, figures, (time.perf_counter() - started) * 1000)
