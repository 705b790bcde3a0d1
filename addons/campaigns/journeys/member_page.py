"""A journey member's record page says why its step failed and offers Retry; the members
lists offer Retry for the ticked members. Both go through `journeys.retry`."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, ListAction, QuickAction
from core.records.errors import RecordError, ValidationFailed
from core.web.security import login_required, web_env

from addons.campaigns.journeys.retry import may_retry, refusal, retry_members
from addons.campaigns.models import JourneyMember, JourneyStep, JourneyStepRun

__all__ = ["blueprint", "member_panels", "member_list_actions"]

blueprint = Blueprint("campaigns_journey_members", __name__)


def _render_failure(env: Any, member: JourneyMember) -> str:
    """The step the member failed at and why, while it is failed; nothing otherwise."""
    if member.status != "failed":
        return ""
    step = db.session.get(JourneyStep, member.current_step_id) if member.current_step_id else None
    outcome = db.session.scalar(select(JourneyStepRun.outcome).where(
        JourneyStepRun.member_id == member.id, JourneyStepRun.step_id == member.current_step_id)) if step else None
    return render_template("campaigns/journey_member_failure.html", member=member, step=step,
                           reason=outcome.removeprefix("failed: ") if outcome else None, refused=refusal(member),
                           may_retry=may_retry(env, member))


def _retry(member_ids: list[int]) -> None:
    """Retry the members as the signed-in user and say how it went."""
    try:
        retried = retry_members(web_env(), member_ids)
    except RecordError as error:
        db.session.rollback()
        reasons = error.errors.get("member_ids") if isinstance(error, ValidationFailed) else None
        flash(" ".join(reasons) if reasons else str(error), "error")
        return
    db.session.commit()
    flash(ngettext("%(num)s member retried: it runs its failed step again now.",
                   "%(num)s members retried: they run their failed step again now.", len(retried)), "success")


@blueprint.post("/campaigns/journey-members/<int:member_id>/retry")
@login_required
def retry_one(member_id: int) -> Response:
    """The Retry button of a failed member's page."""
    _retry([member_id])
    return redirect(f"/m/journey_members/{member_id}", code=303)


@blueprint.post("/campaigns/journey-members/retry")
@login_required
def retry_selection() -> Response:
    """Retry for the members ticked in a list (all of them, or none when one cannot be)."""
    back = request.form.get("back", "")
    _retry([int(value) for value in request.form.getlist("ids") if value.isdigit()])
    return redirect(back if back.startswith("/m/journey_members") else "/m/journey_members", code=303)


def member_panels() -> list[DetailPanel]:
    """Why a failed member stopped, with the Retry button (for those who may update the journey)."""
    return [DetailPanel("campaigns.journey_member_failure", "Failed step",
                        lambda resource: resource == "journey_members", _render_failure, position=5,
                        quick_actions=(QuickAction("Retry", lambda member: member.status == "failed",
                                                   post="/campaigns/journey-members/{id}/retry", style="primary",
                                                   allowed=may_retry),))]


def member_list_actions() -> list[ListAction]:
    """Retry for the ticked members of any journey members list."""
    return [ListAction("journey_members", "Retry failed", "/campaigns/journey-members/retry")]
