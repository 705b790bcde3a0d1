"""Campaign costs as costs of serving the contacts each campaign reached, for analytics'
value tiers (analytics' `analytics_cost_sources` hook; campaigns does not depend on
analytics).

A campaign's costs, each converted to the company currency at the rate of the day it was
spent (`core.money`), are shared equally among the members the campaign reached (those
with `sent_at`): a member's fact is that share, on the day the member was reached. A cost
with no rate for its currency and day leaves its campaign's members without a share
(withdrawn, and counted as skipped) rather than with a wrong one.

A new, changed or deleted cost, or one more member reached, changes every share of the
campaign, so a read names campaigns, then gives all the members of each:

- a pass takes the campaigns whose costs differ from the costs the last pass saw (their
  count, sum and last change, kept in the watermark per campaign, so a deleted cost is
  seen too) and those that reached a member since the last pass, up to `until`;
- it then reads their members in (campaign, id) order, `limit` at a time; the watermark
  keeps the pass's moment and the last member read, so an interrupted pass goes on where
  it stopped, with the same campaigns.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from core.db import db
from core.env import Env
from core.money import rates_to_company
from core.records.bulk import one_of

__all__ = ["cost_sources", "read_campaign_costs", "SOURCE_KEY"]

SOURCE_KEY = "campaigns.costs"
#: A share's decimals (the fact table keeps eight).
_SHARE = Decimal("0.0001")


def _cost_fingerprints(env: Env) -> dict[str, str]:
    """Per campaign with costs (its id as a JSON key): its costs' count, sum and last change."""
    costs = env.records.subquery("campaign_costs")
    read = db.session.execute(select(costs.c.campaign_id, func.count(), func.sum(costs.c.amount),
                                     func.max(costs.c.updated_at)).group_by(costs.c.campaign_id)).all()
    return {str(campaign): f"{count}:{total}:{last.isoformat()}" for campaign, count, total, last in read}


def _newly_reached(env: Env, since: datetime | None, through: datetime) -> set[int]:
    """The campaigns that reached a member after `since` (None: ever) and by `through`."""
    members = env.records.subquery("campaign_members")
    reached = members.c.sent_at <= through
    if since is not None:
        reached = and_(reached, members.c.sent_at > since)
    return set(db.session.scalars(select(members.c.campaign_id).where(reached).distinct()))


def _changed(env: Env, state: dict[str, Any], through: datetime) -> tuple[list[int], dict[str, str]]:
    """The campaigns this pass reads, sorted, and the cost fingerprints it leaves for the next."""
    seen = state.get("costs", {})
    now = _cost_fingerprints(env)
    changed = {int(campaign) for campaign in seen.keys() | now.keys() if seen.get(campaign) != now.get(campaign)}
    since = state.get("since")
    changed |= _newly_reached(env, None if since is None else datetime.fromisoformat(since), through)
    return sorted(changed), now


def _shares(env: Env, campaigns: list[int]) -> tuple[dict[int, Decimal], set[int]]:
    """Each campaign's cost per member reached (company currency), and the campaigns with a
    cost that could not be converted."""
    costs = env.records.subquery("campaign_costs")
    members = env.records.subquery("campaign_members")
    company = str(env.platform.settings["company_currency"]).upper()
    rate = rates_to_company(env)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    unconverted: set[int] = set()
    for cost in db.session.execute(select(costs.c.campaign_id, costs.c.amount, costs.c.currency, costs.c.spent_on)
                                   .where(one_of(costs.c.campaign_id, campaigns))):
        factor = rate(cost.currency or company, cost.spent_on)
        if factor is None:
            unconverted.add(cost.campaign_id)
        else:
            totals[cost.campaign_id] += Decimal(cost.amount) * factor
    reached = dict(db.session.execute(select(members.c.campaign_id, func.count())
                                      .where(one_of(members.c.campaign_id, campaigns), members.c.sent_at.is_not(None))
                                      .group_by(members.c.campaign_id)).all())
    shares = {campaign: (total / reached[campaign]).quantize(_SHARE, ROUND_HALF_UP)
              for campaign, total in totals.items() if reached.get(campaign)}
    return shares, unconverted


def _members_after(env: Env, campaigns: list[int], after: list[int], limit: int) -> Select[Any]:
    members = env.records.subquery("campaign_members")
    return (select(members.c.id, members.c.campaign_id, members.c.contact_id, members.c.sent_at)
            .where(one_of(members.c.campaign_id, campaigns),
                   or_(members.c.campaign_id > after[0],
                       and_(members.c.campaign_id == after[0], members.c.id > after[1])))
            .order_by(members.c.campaign_id, members.c.id).limit(limit))


def read_campaign_costs(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` members of the campaigns whose shares changed (see the module
    docstring): reached ones with their campaign's cost per member reached, the others
    withdrawn."""
    state = dict(watermark or {})
    through = datetime.fromisoformat(state["through"]) if "through" in state else until
    if "campaigns" not in state:
        state["campaigns"], state["next_costs"] = _changed(env, state, through)
    campaigns: list[int] = state["campaigns"]
    read = db.session.execute(_members_after(env, campaigns, state.get("after", [0, 0]), limit)).all() \
        if campaigns else []
    shares, unconverted = _shares(env, sorted({member.campaign_id for member in read}))
    rows: list[tuple[int, int, Any, Decimal, None]] = []
    withdrawn: list[int] = []
    skipped = 0
    for member in read:
        share = shares.get(member.campaign_id)
        if member.sent_at is not None and member.campaign_id in unconverted:
            skipped += 1
            withdrawn.append(member.id)
        elif member.sent_at is None or not share:
            withdrawn.append(member.id)
        else:
            rows.append((member.id, member.contact_id, member.sent_at.date(), share, None))
    if len(read) < limit:
        following = {"since": through.isoformat(), "costs": state["next_costs"]}
    else:
        following = {**state, "through": through.isoformat(), "after": [read[-1].campaign_id, read[-1].id]}
    return {"rows": rows, "withdrawn": withdrawn, "skipped": skipped, "watermark": following}


def cost_sources() -> list[dict[str, Any]]:
    """Campaign costs, shared among the members reached, as marketing costs."""
    return [{"key": SOURCE_KEY, "kind": "marketing_cost", "read": read_campaign_costs}]
