"""The transaction sources and KPIs other addons declare, collected and checked once the
app is ready (analytics' `app_ready`), then found by platform.

A declaration of the wrong shape fails the app's start with the addon's name, rather than
a refresh at night."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Mapping

from flask import Flask

from core.env import Env
from core.platform import Platform, platform
from core.plugins import collect

from addons.analytics import hookspecs
from addons.analytics.models.transactions import COST_KINDS, REVENUE_KINDS

__all__ = ["Source", "Kpi", "publish", "sources_of", "kpis_of", "KINDS", "UNITS", "DIRECTIONS"]

#: The kinds each hook's sources may give.
KINDS = {"analytics_transaction_sources": frozenset(REVENUE_KINDS), "analytics_cost_sources": frozenset(COST_KINDS)}
UNITS = frozenset({"money", "count", "percent", "days", "hours"})
DIRECTIONS = frozenset({"up", "down"})


@dataclass(frozen=True)
class Source:
    """A checked transaction or cost source: `read(env, watermark, limit, until)` answers
    a batch mapping (see `hookspecs.analytics_transaction_sources`) whose rows have a
    kind among `kinds`."""

    addon: str
    key: str
    kind: str
    read: Callable[[Env, Any, int, datetime], Mapping[str, Any]]
    kinds: frozenset[str]


@dataclass(frozen=True)
class Kpi:
    """A checked KPI (see `hookspecs.analytics_kpis`)."""

    addon: str
    name: str
    label: str
    unit: str
    value: Callable[[Env, date, date], Decimal | None]
    target: Decimal | None
    direction: str
    drill: Callable[[date, date], tuple[str, Any]] | None = None
    series: Callable[[Env, list[tuple[date, date]]], list[Decimal | None]] | None = None


# The checked declarations of each loaded platform.
_sources: weakref.WeakKeyDictionary[Any, dict[str, Source]] = weakref.WeakKeyDictionary()
_kpis: weakref.WeakKeyDictionary[Any, dict[str, Kpi]] = weakref.WeakKeyDictionary()


def _required(addon: str, hook: str, answer: Any, *names: str) -> None:
    if not isinstance(answer, Mapping):
        raise TypeError(f"addon {addon!r}: {hook} must return mappings, not {answer!r}")
    missing = [name for name in names if name not in answer]
    if missing:
        raise TypeError(f"addon {addon!r}: {hook} returned {dict(answer)!r} without {', '.join(missing)}")


def _source(addon: str, hook: str, answer: Any) -> Source:
    _required(addon, hook, answer, "key", "kind", "read")
    kinds = KINDS[hook]
    if answer["kind"] not in kinds:
        raise ValueError(f"addon {addon!r}: source {answer['key']!r} has kind {answer['kind']!r}; "
                         f"give one of {', '.join(sorted(kinds))}")
    if not callable(answer["read"]):
        raise TypeError(f"addon {addon!r}: source {answer['key']!r}: `read` must be a function")
    return Source(addon, str(answer["key"]), str(answer["kind"]), answer["read"], kinds)


def _one_period(series: Callable[[Env, list[tuple[date, date]]], list[Decimal | None]]
                ) -> Callable[[Env, date, date], Decimal | None]:
    """A KPI's value over one period, from its series."""
    return lambda env, start, end: series(env, [(start, end)])[0]


def _kpi(addon: str, answer: Any) -> Kpi:
    _required(addon, "analytics_kpis", answer, "name", "label", "unit")
    direction = answer.get("direction", "up")
    if answer["unit"] not in UNITS or direction not in DIRECTIONS:
        raise ValueError(f"addon {addon!r}: KPI {answer['name']!r} needs a unit among {', '.join(sorted(UNITS))} "
                         f"and a direction among {', '.join(sorted(DIRECTIONS))}")
    value, drill, series = answer.get("value"), answer.get("drill"), answer.get("series")
    if value is None and series is None:
        raise TypeError(f"addon {addon!r}: KPI {answer['name']!r} needs `value` or `series`")
    if any(given is not None and not callable(given) for given in (value, drill, series)):
        raise TypeError(f"addon {addon!r}: KPI {answer['name']!r}: `value`, `drill` and `series` must be functions")
    target = answer.get("target")
    return Kpi(addon, str(answer["name"]), str(answer["label"]), str(answer["unit"]), value or _one_period(series),
               None if target is None else Decimal(str(target)), direction, drill, series)


def _unique(addon: str, found: dict[str, Any], key: str, what: str) -> None:
    if key in found:
        raise ValueError(f"addon {addon!r} declares the {what} {key!r} that addon {found[key].addon!r} declared")


def publish(app: Flask) -> None:
    """Add analytics' hookspecs to the app's plugin manager, then collect and check the
    transaction and cost sources and the KPIs of the loaded addons."""
    _collect(platform(app))


def _collect(loaded: Platform) -> None:
    published = getattr(loaded.plugins.hook, "analytics_transaction_sources", None)
    if published is None or published.spec is None:
        loaded.plugins.add_hookspecs(hookspecs)
    sources: dict[str, Source] = {}
    for hook in KINDS:
        for addon, answer in collect(loaded.plugins, hook, loaded.loaded):
            source = _source(addon, hook, answer)
            _unique(addon, sources, source.key, "source")
            sources[source.key] = source
    kpis: dict[str, Kpi] = {}
    for addon, answer in collect(loaded.plugins, "analytics_kpis", loaded.loaded):
        kpi = _kpi(addon, answer)
        _unique(addon, kpis, kpi.name, "KPI")
        kpis[kpi.name] = kpi
    _sources[loaded.plugins] = sources
    _kpis[loaded.plugins] = kpis


def sources_of(platform_: Platform) -> list[Source]:
    """The transaction and cost sources of the platform's installed addons, by key
    (collected here for a platform no app was made of: the one an installation builds)."""
    if platform_.plugins not in _sources:
        _collect(platform_)
    return [source for _key, source in sorted(_sources.get(platform_.plugins, {}).items())]


def kpis_of(platform_: Platform) -> list[Kpi]:
    """The KPIs of the platform's installed addons, by name."""
    if platform_.plugins not in _kpis:
        _collect(platform_)
    return [kpi for _name, kpi in sorted(_kpis.get(platform_.plugins, {}).items())]
