"""Stale-deal alerts: open deals with no activity for a team's N days, or past their
expected close date, get a follow-up task for their owner.

Idempotent: a deal gets an alert of one kind at most once per N days (whatever became
of the previous one), derived from the activities themselves; rows are claimed so two
workers never alert twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select

from core.db import db
from core.env import Env
from core.jobs import claim_rows

from addons.sales.models import Opportunity, SalesTeam

__all__ = ["raise_stale_deal_alerts", "BATCH"]

BATCH = 500


def _teams(env: Env) -> list[tuple[int | None, int, int | None]]:
    """(team id, days, leader id) of every team, and the default for deals of no team."""
    teams = db.session.scalars(env.records.select("sales_teams").order_by(SalesTeam.id)).all()
    default = int(env.platform.settings["sales_stale_after_days"])
    return [(team.id, team.stale_after_days, team.leader_id) for team in teams] + [(None, default, None)]


def _alert_text(origin: str, deal: Opportunity, days: int) -> tuple[str, str]:
    if origin == "stale_deal":
        return (f"No activity for {days} days: follow up on {deal.name}"[:200],
                "Nothing was done on this deal lately. Call, meet or write, or close it if it is lost.")
    return (f"Past its expected close date: update {deal.name}"[:200],
            f"It was expected to close on {deal.close_date}. Set a new date, or mark it won or lost.")


def raise_stale_deal_alerts(env: Env) -> dict[str, int]:
    """Create the follow-up tasks that are due; returns how many of each kind."""
    now = env.now()
    created = {"stale_deal": 0, "past_close": 0}
    for team_id, days, leader_id in _teams(env):
        since = now - timedelta(days=days)
        conditions: dict[str, Any] = {
            "stale_deal": ["last_activity_at", "<", since.isoformat()],
            "past_close": ["close_date", "<", now.date().isoformat()],
        }
        for origin, condition in conditions.items():
            alerted = env.records.subquery("activities", [
                ["origin", "=", origin], ["related_model", "=", "opportunities"],
                ["created_at", ">=", since.isoformat()]])
            deals = env.records.select("opportunities", [["status", "=", "open"], ["team_id", "=", team_id],
                                                          condition])
            deals = deals.where(~exists(select(alerted.c.id).where(alerted.c.related_id == Opportunity.id)))
            for deal in claim_rows(deals.order_by(Opportunity.id), limit=BATCH):
                created[origin] += _alert(env, deal, origin, days, leader_id, now)
    return created


def _alert(env: Env, deal: Opportunity, origin: str, days: int, leader_id: int | None, now: datetime) -> int:
    summary, notes = _alert_text(origin, deal, days)
    env.sudo().records.create("activities", {
        "kind": "task", "summary": summary, "notes": notes, "due_at": now.isoformat(),
        "user_id": deal.owner_id or leader_id, "related_model": "opportunities", "related_id": deal.id,
        "origin": origin,
    })
    return 1
