"""What activities change elsewhere: the timeline, and the last and next activity of deals and leads."""
from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from core.db import db
from core.env import Env
from core.records.errors import NotFound

from addons.sales.models import Activity
from addons.sales.models.choices import ACTIVITY_KINDS

__all__ = ["post_to_timeline", "refresh_followup", "FOLLOWED"]

#: Models that keep their last and next activity (and leads a count of those done).
FOLLOWED = ("opportunities", "leads")
_CHANNELS = {"call": "phone", "meeting": "meeting", "email": "email", "task": "note", "deadline": "note"}
_OUTWARD = {"call", "meeting", "email"}


def post_to_timeline(env: Env, activity: Activity) -> Any:
    """Put a done activity on the customer timeline, once; None when there is no contact
    or account to file it under (an interaction needs one)."""
    if not activity.done or activity.interaction_id is not None:
        return None
    if activity.contact_id is None and activity.account_id is None:
        return None
    platform = env.sudo()
    about = {} if activity.related_model in (None, "contacts", "accounts") else {
        "related_model": activity.related_model, "related_id": activity.related_id}
    body = "\n\n".join(part for part in (activity.outcome, activity.notes) if part) or None
    interaction = platform.records.create("interactions", {
        "channel": _CHANNELS[activity.kind], "direction": "outbound" if activity.kind in _OUTWARD else "internal",
        "subject": f"{dict(ACTIVITY_KINDS)[activity.kind]}: {activity.summary}"[:300], "body": body,
        "occurred_at": (activity.done_at or env.now()).isoformat(), "contact_id": activity.contact_id,
        "account_id": activity.account_id, "user_id": activity.user_id, **about,
    })
    platform.records.update("activities", activity.id, {"interaction_id": interaction.id})
    return interaction


def refresh_followup(env: Env, resource: str | None, record_id: int | None, *, leaving: int | None = None) -> None:
    """Recompute the last activity (never moving it back), the next planned activity of a
    deal, and the count of done activities of a lead, from the activities and timeline;
    `leaving` names an activity being deleted, left out."""
    if resource not in FOLLOWED or record_id is None:
        return
    platform = env.sudo()
    try:
        record = platform.records.get(resource, record_id)
    except NotFound:
        return  # the record was deleted; nothing to keep up to date
    about = [["related_model", "=", resource], ["related_id", "=", record_id]]
    gone = [["id", "!=", leaving]] if leaving is not None else []
    activities = platform.records.subquery("activities", [*about, *gone])
    last_done, done_count = db.session.execute(select(
        func.max(activities.c.done_at), func.sum(case((activities.c.done.is_(True), 1), else_=0)))).one()
    touches = platform.records.subquery("interactions", about)
    last_touch = db.session.scalar(select(func.max(touches.c.occurred_at)))
    moments = [moment for moment in (record.last_activity_at, last_done, last_touch) if moment is not None]
    values: dict[str, Any] = {"last_activity_at": max(moments).isoformat() if moments else None}
    if resource == "opportunities":
        upcoming = db.session.execute(select(activities.c.id, activities.c.due_at)
                                      .where(activities.c.done.is_(False))
                                      .order_by(activities.c.due_at, activities.c.id).limit(1)).first()
        values["next_activity_id"] = upcoming[0] if upcoming else None
        values["next_activity_at"] = upcoming[1].isoformat() if upcoming else None
    else:
        values["activities_done"] = int(done_count or 0)
    platform.records.update(resource, record_id, values)
