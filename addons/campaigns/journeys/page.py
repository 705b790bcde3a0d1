"""A journey's record page: its steps as a flow (boxes with arrows, a branch's yes and no
side by side), each with the members at it now and those who passed it, and the
Activate / Pause buttons of the page's header."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext
from sqlalchemy import func, not_, select
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.records.errors import RecordError
from core.web.security import login_required, web_env

from addons.campaigns.models import CampaignMessage, JourneyMember, JourneyStep, JourneyStepRun

__all__ = ["blueprint", "journey_panels", "flow_of", "FlowNode"]

blueprint = Blueprint("campaigns_journeys", __name__)


@dataclass
class FlowNode:
    """One step as the page draws it, with where the flow goes on from it."""

    step: JourneyStep
    text: str
    at: int
    passed: int
    then: FlowNode | None = None
    yes: FlowNode | None = None
    no: FlowNode | None = None
    joins: int | None = None


def _describe(step: JourneyStep) -> str:
    """The step in words."""
    config = step.config or {}
    if step.kind == "send":
        message = db.session.get(CampaignMessage, config.get("message_id"))
        subject = (message.subject or "") if message is not None else "?"
        return gettext("Send “%(subject)s”", subject=subject)
    if step.kind == "wait":
        if config.get("until"):
            return gettext("Wait until %(moment)s, contact's time", moment=config["until"])
        parts = [text for text in (gettext("%(count)s days", count=config["days"]) if config.get("days") else "",
                                   gettext("%(count)s hours", count=config["hours"]) if config.get("hours") else "",
                                   gettext("%(count)s minutes", count=config["minutes"]) if config.get("minutes")
                                   else "") if text]
        return gettext("Wait %(duration)s", duration=" ".join(parts))
    if step.kind == "branch":
        condition = config.get("condition")
        if condition in ("opened", {"opened": True}):
            return gettext("Opened the last email?")
        if condition in ("clicked", {"clicked": True}):
            return gettext("Clicked in the last email?")
        if isinstance(condition, dict) and "segment_id" in condition:
            return gettext("In segment %(id)s?", id=condition["segment_id"])
        return gettext("Contact matches the filter?")
    if step.kind == "update":
        if config.get("field") == "tags":
            change = " ".join(part for part in (f"+{config['add']}" if config.get("add") else "",
                                                 f"−{config['remove']}" if config.get("remove") else "") if part)
            return gettext("Tag %(change)s", change=change)
        return gettext("Set %(field)s to %(value)s", field=config.get("field"), value=config.get("value"))
    if step.kind == "activity":
        return gettext("Activity for the owner: %(summary)s", summary=config.get("summary"))
    if step.kind == "notify":
        return gettext("Notify: %(text)s", text=config.get("text"))
    return gettext("Exit")


def flow_of(journey_id: int) -> tuple[FlowNode | None, list[FlowNode]]:
    """The flow from the first step, and the steps no path reaches (drawn apart)."""
    steps = {step.id: step for step in db.session.scalars(
        select(JourneyStep).where(JourneyStep.journey_id == journey_id).order_by(JourneyStep.position))}
    at = dict(db.session.execute(select(JourneyMember.current_step_id, func.count()).where(
        JourneyMember.journey_id == journey_id, JourneyMember.status.in_(("active", "waiting")))
        .group_by(JourneyMember.current_step_id)).all())
    passed = dict(db.session.execute(select(JourneyStepRun.step_id, func.count()).where(
        JourneyStepRun.step_id.in_(list(steps)), not_(JourneyStepRun.outcome.like("failed:%")))
        .group_by(JourneyStepRun.step_id)).all()) if steps else {}
    drawn: set[int] = set()

    def node(step_id: int | None) -> FlowNode | None:
        if step_id is None or step_id not in steps:
            return None
        step = steps[step_id]
        made = FlowNode(step, _describe(step), int(at.get(step_id, 0)), int(passed.get(step_id, 0)))
        if step_id in drawn:
            made.joins = step.position
            return made
        drawn.add(step_id)
        if step.kind == "branch":
            made.yes, made.no = node(step.yes_step_id), node(step.no_step_id)
        else:
            made.then = node(step.next_step_id)
        return made

    first = node(next(iter(steps), None))
    apart = [made for step_id in steps if step_id not in drawn and (made := node(step_id)) is not None]
    return first, apart


def _render_flow(env: Any, journey: Any) -> str:
    first, apart = flow_of(journey.id)
    total = db.session.scalar(select(func.count()).select_from(JourneyMember)
                              .where(JourneyMember.journey_id == journey.id)) or 0
    return render_template("campaigns/journey_flow.html", journey=journey, first=first, apart=apart, total=total)


def _set_status(journey_id: int, status: str, message: str) -> Response:
    env = web_env()
    target = f"/m/journeys/{journey_id}"
    try:
        env.records.update("journeys", journey_id, {"status": status}, version=request.form.get("version", type=int))
        db.session.commit()
        flash(message, "success")
    except RecordError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(target, code=303)


@blueprint.post("/campaigns/journeys/<int:journey_id>/activate")
@login_required
def activate(journey_id: int) -> Response:
    """The Activate button: members enter and move on."""
    return _set_status(journey_id, "active", gettext("The journey is active."))


@blueprint.post("/campaigns/journeys/<int:journey_id>/pause")
@login_required
def pause(journey_id: int) -> Response:
    """The Pause button: nobody moves on until it is active again."""
    return _set_status(journey_id, "paused", gettext("The journey is paused: nobody moves on."))


def journey_panels() -> list[DetailPanel]:
    """The flow of a journey's page, with its Activate and Pause buttons."""
    return [DetailPanel("campaigns.journey_flow", "Flow", lambda resource: resource == "journeys", _render_flow,
                        position=10, covers=("journey_steps",), quick_actions=(
                            QuickAction("Activate", lambda journey: journey.status in ("draft", "paused"),
                                        post="/campaigns/journeys/{id}/activate", style="primary"),
                            QuickAction("Pause", lambda journey: journey.status == "active",
                                        post="/campaigns/journeys/{id}/pause"),
                        ))]
