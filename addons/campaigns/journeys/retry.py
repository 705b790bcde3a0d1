"""Retrying journey members whose step failed, once its cause is fixed (a segment a branch
names made again, a value an update step sets corrected).

A failed member stays at the step that failed, whose run records why (`failed: ...`).
Retrying removes that run (a failed step did nothing: its savepoint was rolled back; the
audit trail keeps the reason) and makes the member due at that step now; the
`journeys.advance` job then runs it as any due step, once. The right to retry is the
right to update the member's journey.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from sqlalchemy import select

from core.api.actions import ApiAction
from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed

from addons.campaigns.journeys.entry import wake
from addons.campaigns.models import Journey, JourneyMember, JourneyStepRun

__all__ = ["retry_members", "refusal", "may_retry", "retry_actions"]


def refusal(member: JourneyMember) -> str | None:
    """Why the member cannot be retried, or None when it can."""
    if member.status != "failed":
        return f"Member #{member.id} is {member.status}, not failed: only a failed member can be retried."
    if member.current_step_id is None:
        return f"Member #{member.id}: the step it failed at was deleted, so there is no step to run again."
    journey = db.session.get(Journey, member.journey_id)
    if journey.status == "closed":
        return f"Member #{member.id}: the journey is closed."
    ran = db.session.scalar(select(JourneyStepRun.outcome).where(JourneyStepRun.member_id == member.id,
                                                                 JourneyStepRun.step_id == member.current_step_id))
    if ran is not None and not ran.startswith("failed:"):
        return (f"Member #{member.id}: its flow came back to a step it had run already, and would again; "
                "change the flow (where that step leads) instead.")
    return None


def may_retry(env: Env, member: JourneyMember) -> bool:
    """Whether `env` may retry the member: it may update the member's journey."""
    return env.records.allows("journeys", member.journey_id, "update")


def retry_members(env: Env, member_ids: Iterable[int]) -> list[JourneyMember]:
    """Put the failed members `member_ids` back at the step that failed, due now, and queue
    the advance job; as `env`, who must be allowed to update their journeys. The caller
    commits. ValidationFailed (`member_ids`) names every member that cannot be retried,
    and then none is."""
    members = [env.records.get("journey_members", int(member_id), lock=True) for member_id in dict.fromkeys(member_ids)]
    if not members:
        raise ValidationFailed({"member_ids": ["Choose at least one failed member to retry."]})
    for journey_id in {member.journey_id for member in members}:
        env.records.get("journeys", journey_id, operation="update")
    reasons = [reason for member in members if (reason := refusal(member)) is not None]
    if reasons:
        raise ValidationFailed({"member_ids": reasons})
    # Members and step runs are the engine's to write: the check above was the user's, the
    # writes are stamped and audited as theirs.
    writer = env.sudo().records
    now = env.now()
    for member in members:
        failed = db.session.scalar(select(JourneyStepRun.id).where(JourneyStepRun.member_id == member.id,
                                                                   JourneyStepRun.step_id == member.current_step_id))
        if failed is not None:
            writer.delete("journey_step_runs", failed)
        writer.update("journey_members", member.id, {"status": "active", "next_run_at": now})
    wake()
    return members


def _retry(env: Env, member: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    [retried] = retry_members(env, [member.id])
    db.session.flush()
    return env.records.dump("journey_members", [retried])[0]


def retry_actions() -> list[ApiAction]:
    """`POST /api/v1/journey_members/<id>/retry`, for those who may update the journey."""
    return [ApiAction("journey_members", "retry", _retry, operation="read",
                      summary="Retry a failed member at the step that failed")]
