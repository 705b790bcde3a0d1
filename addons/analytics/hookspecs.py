"""Hooks the analytics addon publishes for the addons that come after it.

They are added to the plugin manager when analytics is loaded (its `app_ready`). An
implementer does not import analytics: it answers plain mappings and tuples, and marks
its implementation optional, so that it loads where analytics is absent (and is then
never called)::

    from core import hookimpl

    @hookimpl(optionalhook=True)
    def analytics_transaction_sources():
        return [{"key": "shop.orders", "kind": "purchase", "read": read_orders}]

The shapes below are what analytics reads (`addons.analytics.sources` and
`addons.analytics.kpis` check them and name the addon that answered something else).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypedDict

import pluggy

if TYPE_CHECKING:
    from core.env import Env

__all__ = ["analytics_transaction_sources", "analytics_cost_sources", "analytics_kpis", "SourceAnswer", "SourceBatchAnswer",
           "KpiAnswer", "TransactionTuple"]

hookspec = pluggy.HookspecMarker("spectrum")

#: (source record id, contact id, day, amount in the company currency, kind or None for
#: the source's kind); a refund's amount is negative.
TransactionTuple = tuple[int, int, date, Decimal, "str | None"]


class SourceBatchAnswer(TypedDict, total=False):
    """What a source's `read` returns: the rows after the watermark (at most `limit`), the
    watermark to go on from next time (JSON-ready: an id, an ISO timestamp, a list), the
    ids of records read that no longer count (a deal reopened: their facts are removed),
    and how many records it read but could not give (no exchange rate)."""

    rows: Sequence[TransactionTuple]
    watermark: Any
    withdrawn: Sequence[int]
    skipped: int


class SourceAnswer(TypedDict):
    """One source of customer transactions."""

    key: str
    kind: str
    read: Callable[[Env, Any, int, datetime], SourceBatchAnswer]


class KpiAnswer(TypedDict, total=False):
    """One key performance indicator."""

    name: str
    label: str
    unit: str
    value: Callable[[Env, date, date], Decimal | None]
    target: Decimal | None
    direction: str
    drill: Callable[[date, date], tuple[str, Any]]
    series: Callable[[Env, list[tuple[date, date]]], list[Decimal | None]]


@hookspec
def analytics_transaction_sources() -> list[SourceAnswer] | None:
    """Sources of customer transactions for the analytics fact table.

    Called once when the app is ready, for installed addons only; each source's `read`
    is then called by every refresh or rebuild of the transactions (the
    `analytics.refresh_transactions` job, `spectrum analytics rebuild`). Returns
    mappings with:

    - `key`: unique, `<addon>.<what>` (`sales.won_opportunities`); it names the facts
      and their watermark, so keep it stable;
    - `kind`: the kind of its transactions (`purchase`, `refund`, `donation`,
      `membership_payment`, `other`), unless a row names its own;
    - `read(env, watermark, limit, until)`: called with a system `Env` (read through
      `env.records`), the watermark it returned last time (None: from the start), the
      most rows wanted, and `until`: give only what was written at or before that moment
      (a minute ago: a watermark of last-change stamps never passes a write still being
      committed). It returns a mapping: `rows`, tuples (source record id, contact
      id, day, amount in the company currency, kind or None); `watermark`, where to go on
      from (JSON-ready); optionally `withdrawn`, ids of records read that no longer count,
      and `skipped`, how many records it could not convert. Fewer rows and withdrawn ids
      together than `limit` means the source is read to its end. The refresh replaces the
      facts of every id it gets, so reading a record twice changes nothing.

    None means no source.
    """


@hookspec
def analytics_cost_sources() -> list[SourceAnswer] | None:
    """Sources of what serving a customer costs, for value tiers (revenue minus cost).

    Called once when the app is ready, for installed addons only; each source is then
    read like a transaction source (see `analytics_transaction_sources`), into the same
    fact table. Returns the same mappings, with `kind` `service_cost` (support time,
    tickets) or `marketing_cost` (campaign costs), and rows whose amounts are positive
    costs in the company currency, each on the day it was incurred. None means no source.
    """


@hookspec
def analytics_kpis() -> list[KpiAnswer] | None:
    """Key performance indicators for analytics' KPI figures.

    Called once when the app is ready, for installed addons only; each KPI's `series`
    (else its `value`, period by period) is then called for the periods a figure shows:
    twelve on Analytics › KPIs, two for a digest. An implementation reading records its
    reader may not read raises the records service's AccessDenied: the KPI is then left
    out for them. Returns mappings with:

    - `name`: unique, `<addon>.<what>` (`sales.won_revenue`);
    - `label`: what the reader sees ("Won revenue");
    - `unit`: `money` (company currency), `count`, `percent`, `days` or `hours`;
    - `value(env, start, end)`: the KPI over the days `start` to `end` inclusive, computed
      in SQL through `env.records` as the reader (their record rules apply); None when
      there is nothing to measure. May be left out when `series` is given: it is then
      the series of that one period;
    - `target`: the value aimed at per month (and per any period for a `percent`, `days`
      or `hours` KPI), or None; analytics managers may set their own per kind of period
      (`analytics_kpi_targets`), which stands in for it;
    - `direction`: `up` when more is better (the default), `down` when less is;
    - `drill(start, end)`, optional: the records behind the figure over those days, as
      (resource, filter-language domain); the figure links to that resource's list
      filtered by the domain. For a `count` KPI the list's count is the figure (compute
      the value over `env.records.subquery(resource, domain)` with the same domain);
    - `series(env, periods)`, optional when `value` is given: the values of many periods at once, given as
      (start, end) pairs oldest first, in the same order: what `value` answers for each,
      in one grouped query rather than one per period (`core.records.grouping.range_index`).
      Analytics calls it, when given, for its twelve periods.

    None means no KPI.
    """
