"""What a partner user does on their organisation's deals: move the stage, plan the next
step, log an activity.

Partner users only read deals (record rules choose which: their organisation's); these
functions check the deal is theirs to read with the partner user's own permissions, then
write with system rights exactly what a partner may give. Winning and losing stay with the
vendor's staff (a win earns the partner a commission).
"""
from __future__ import annotations

from typing import Any

from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed

from addons.partners.registrations.submission import partner_of
from addons.sales.models import Activity, Opportunity

__all__ = ["partner_deal", "move_stage", "plan_next_step", "log_activity", "deal_activities", "PARTNER_KINDS"]

#: Activities a partner logs: (value, label) of sales' activity kinds.
PARTNER_KINDS = ("call", "meeting", "email", "task")


def partner_deal(env: Env, deal_id: int) -> Opportunity:
    """The deal, if the signed-in partner user's organisation holds it (NotFound otherwise)."""
    partner_of(env)
    return env.records.get("opportunities", deal_id)


def move_stage(env: Env, deal_id: int, stage_id: Any) -> Opportunity:
    """Move the partner's deal to another open stage of its pipeline."""
    deal = partner_deal(env, deal_id)
    try:
        stage = env.sudo().records.get("pipeline_stages", int(stage_id))
    except (TypeError, ValueError):
        raise ValidationFailed({"stage_id": ["Choose a stage."]}) from None
    if stage.is_won or stage.is_lost:
        raise ValidationFailed({"stage_id": ["Winning or losing a deal is for your channel manager: choose an "
                                             "open stage, and tell them the outcome."]})
    return env.sudo().records.update("opportunities", deal.id, {"stage_id": stage.id})


def _activity(env: Env, deal: Opportunity, kind: str, summary: str, due: Any, done: bool) -> Activity:
    if kind not in PARTNER_KINDS:
        raise ValidationFailed({"kind": [f"Choose one of: {', '.join(PARTNER_KINDS)}."]})
    if not (summary or "").strip():
        raise ValidationFailed({"summary": ["Say what was done or is to be done."]})
    return env.sudo().records.create("activities", {
        "kind": kind, "summary": summary.strip()[:200], "due_at": due, "done": done, "user_id": env.user.id,
        "related_model": "opportunities", "related_id": deal.id, "account_id": deal.account_id,
        "contact_id": deal.contact_id})


def plan_next_step(env: Env, deal_id: int, summary: str, due: Any) -> Activity:
    """The deal's next step: a task of the partner user, due when they say."""
    deal = partner_deal(env, deal_id)
    if not due:
        raise ValidationFailed({"due_at": ["Say when: a date, such as 2026-02-01."]})
    return _activity(env, deal, "task", summary, due, False)


def log_activity(env: Env, deal_id: int, kind: str, summary: str) -> Activity:
    """An activity the partner did on the deal (a call, a meeting, an email), done now."""
    deal = partner_deal(env, deal_id)
    return _activity(env, deal, kind, summary, env.now(), True)


def deal_activities(env: Env, deal: Opportunity) -> list[Activity]:
    """The deal's activities as a partner sees them (their summaries, never their notes:
    the page shows no more), newest first; `deal` was checked as the partner's."""
    statement = env.sudo().records.select("activities", [["related_model", "=", "opportunities"],
                                                         ["related_id", "=", deal.id]])
    return list(db.session.scalars(statement.order_by(Activity.due_at.desc(), Activity.id.desc()).limit(50)))
