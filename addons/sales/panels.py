"""Blocks of the sales addon on detail pages: activities on any record, conversion and
score on leads, outcome and prediction on opportunities."""
from __future__ import annotations

from typing import Any

from flask import render_template

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.env import Env
from core.web.rendering import user_zone

from addons.sales.models import LostReason
from addons.sales.models.activities import NOT_RELATABLE
from addons.sales.models.choices import ACTIVITY_KINDS, BUYING_ROLES

__all__ = ["detail_panels", "RECENT_DONE"]

RECENT_DONE = 5
_PLATFORM_PREFIXES = ("mail_", "webhook_", "job_", "inbound_")


def _activities_apply(resource: str) -> bool:
    return resource not in NOT_RELATABLE and resource not in ("interactions", "lead_assignments",
                                                                 "forecast_snapshots") \
        and not resource.startswith(_PLATFORM_PREFIXES)


def _render_activities(env: Env, record: Any) -> str:
    if not env.policy.can("activities", "read"):
        return ""
    resource = record.resource_name()
    about = [["related_model", "=", resource], ["related_id", "=", record.id]]
    planned = env.records.search("activities", [*about, ["done", "=", False]], order=["due_at", "id"], limit=20)
    done = env.records.search("activities", [*about, ["done", "=", True]], order=["-done_at", "-id"],
                              limit=RECENT_DONE)
    users = env.records.search("users", [["kind", "=", "internal"], ["active", "=", True]], order=["name"],
                               limit=200).records if env.policy.can("users", "read") else []
    return render_template("sales/panel_activities.html", planned=planned.records, done=done.records,
                           kinds=ACTIVITY_KINDS, users=users, resource=resource, record=record, zone=user_zone(env),
                           now=env.now(), back=f"/m/{resource}/{record.id}", me=env.user,
                           can_plan=env.policy.can("activities", "create"),
                           can_update=env.policy.can("activities", "update"))


def _render_lead(env: Env, lead: Any) -> str:
    from addons.sales.conversion import conversion_preview

    preview = None
    can_convert = env.policy.can("leads", "update") and lead.status != "converted"
    if can_convert:
        preview = conversion_preview(env, lead)
    return render_template("sales/panel_lead.html", lead=lead, preview=preview, can_convert=can_convert,
                           roles=BUYING_ROLES, factors=lead.score_factors or {})


def _render_opportunity(env: Env, deal: Any) -> str:
    reasons = db.session.scalars(env.records.select("lost_reasons", [["active", "=", True]])
                                 .order_by(LostReason.name)).all() if env.policy.can("lost_reasons", "read") else []
    return render_template("sales/panel_opportunity.html", deal=deal, reasons=reasons,
                           can_update=env.policy.can("opportunities", "update"), factors=deal.score_factors or {})


def _is_open(deal: Any) -> bool:
    return deal.status == "open"


def _convertible(lead: Any) -> bool:
    return lead.status != "converted"


def detail_panels() -> list[DetailPanel]:
    """The panels, in the order they appear."""
    return [
        DetailPanel("sales.lead", "Conversion and score", lambda resource: resource == "leads", _render_lead,
                    quick_actions=(QuickAction("Convert", _convertible, focus="role", style="primary"),)),
        DetailPanel("sales.opportunity", "Outcome and prediction", lambda resource: resource == "opportunities",
                    _render_opportunity, quick_actions=(
                        QuickAction("Mark won", _is_open, post="/sales/opportunities/{id}/win", style="primary"),
                        QuickAction("Mark lost", _is_open, focus="lost_reason_id", style="danger"),
                    )),
        DetailPanel("sales.activities", "Activities", _activities_apply, _render_activities,
                    quick_actions=(QuickAction("Plan an activity", focus="summary"),)),
    ]

