"""Reminder emails for activities that fall due, sent through the kernel's mail API."""
from __future__ import annotations

from typing import Any

from markupsafe import escape

from core.declarations import NotificationKind
from core.env import Env
from core.jobs import JobContext, claim_rows
from core.notifications import notify

from addons.sales.models import Activity
from addons.sales.models.choices import ACTIVITY_KINDS

__all__ = ["send_due_reminders", "send_reminder", "notification_kinds", "BATCH", "DUE_KIND"]

BATCH = 200
#: The notification of an activity falling due; its email is the reminder (`send_reminder`).
DUE_KIND = "sales.activity_due"


def notification_kinds() -> list[NotificationKind]:
    """An activity of mine falls due: in the app and by email unless its assignee says otherwise."""
    return [NotificationKind(DUE_KIND, "An activity of mine falls due", in_app=True, email=True)]


def send_reminder(env: Env, activity: Activity) -> Any:
    """Queue the reminder of one activity to its assignee (the mail log row, or None when
    the assignee has no address). Field values go in as placeholders, never as template
    code; the link and the local due time are computed here."""
    from core.mail.outbound import send_mail
    from core.mail.tokens import base_url
    from core.web.rendering import user_zone

    user = activity.user
    if user is None or not user.active or not user.email:
        return None
    link = f"{base_url()}/m/activities/{activity.id}"
    due = activity.due_at.astimezone(user_zone(Env.for_user(user))).strftime("%Y-%m-%d %H:%M %Z")
    kind = dict(ACTIVITY_KINDS)[activity.kind]
    about = "{% if record.related_name %} about {{ record.related_name }}{% endif %}"
    return send_mail(
        env, user.email, to_name=user.name, record=("activities", activity.id), channel="email.transactional",
        track=False, subject=f"{kind} due: {{{{ record.summary }}}}",
        text=f"{kind}: {{{{ record.summary }}}}{about}\nDue {due}.\n\nOpen it: {link}\n",
        html=f"<p><b>{escape(kind)}</b>: {{{{ record.summary }}}}{about}.</p><p>Due {escape(due)}.</p>"
             f'<p><a href="{escape(link)}">Open the activity</a></p>',
    )


def send_due_reminders(ctx: JobContext) -> dict[str, int]:
    """The `sales.activity_reminders` sweep: the assignee of every activity due and not done,
    not reminded yet, is told (`DUE_KIND`: in the app and/or by the reminder email, as they
    chose) and the activity is marked overdue. Idempotent: `reminded_at` is set in the same
    transaction, and rows are claimed so two workers never remind twice."""
    env = ctx.env
    now = env.now()
    due = env.records.select("activities", [["done", "=", False], ["reminded_at", "is null", None],
                                            ["due_at", "<=", now.isoformat()]]).order_by(Activity.due_at, Activity.id)
    emailed: list[Any] = []
    checked = 0
    for activity in claim_rows(due, limit=BATCH):
        checked += 1
        if activity.user_id is not None:
            notify(env, activity.user_id, DUE_KIND, f"{dict(ACTIVITY_KINDS)[activity.kind]} due: {activity.summary}",
                   record=("activities", activity.id),
                   email=lambda _env, _recipient, due_one=activity: emailed.append(send_reminder(env, due_one)))
        env.sudo().records.update("activities", activity.id, {"reminded_at": now.isoformat(), "state": "overdue"})
    return {"checked": checked, "reminded": sum(1 for message in emailed if message is not None)}
