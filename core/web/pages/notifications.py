"""The notification inbox: newest first, unread ones marked; opening one marks it read and
leads to its record; "mark all read"; and each user's choice, per kind, of being told in
the app and/or by email. Everything goes through the records service: a user reaches only
their own notifications and choices (record rules)."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.notifications import reading
from core.notifications.service import notification_kinds, preferences_of
from core.notifications.watchers import mentioned_users
from core.web.blueprint import render_page, web
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

__all__ = ["inbox", "open_notification", "mark_all_read", "save_preferences", "mention_candidates"]

INBOX_LENGTH = 100
#: People offered as one types "@" in a text box.
MENTION_CHOICES = 8


@web.get("/notifications")
@login_required
def inbox() -> tuple[str, int]:
    """The user's notifications, newest first, and their choices per kind."""
    env = web_env()
    page = env.records.search("notifications", order=["-created_at", "-id"], limit=INBOX_LENGTH)
    kinds = notification_kinds(env)
    return render_page("notifications.html", notifications=page.records, kinds=kinds, zone=user_zone(env),
                       choices=preferences_of(env, env.user.id))


@web.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Response:
    """Mark one read and go to what it is about."""
    env = web_env()
    notification = env.records.get("notifications", notification_id, operation="update")
    if notification.read_at is None:
        reading.mark_read(env, notification)
        db.session.commit()
    target = f"/m/{notification.related_model}/{notification.related_id}" if notification.related_model else \
        "/notifications"
    return redirect(target, code=303)


@web.post("/notifications/read")
@login_required
def mark_all_read() -> Response:
    """Mark every unread notification of the user read."""
    env = web_env()
    marked = reading.mark_all_read(env)
    db.session.commit()
    flash(gettext("%(count)s notification(s) marked read.", count=marked), "success")
    return redirect("/notifications", code=303)


@web.post("/notifications/preferences")
@login_required
def save_preferences() -> Response:
    """Keep the user's choice, per kind, of in the app and by email."""
    env = web_env()
    existing: dict[str, Any] = {row.kind: row for row in env.records.search(
        "notification_preferences", [["user_id", "=", env.user.id]], limit=1000).records}
    for key in notification_kinds(env):
        values = {"in_app": request.form.get(f"{key}:in_app") == "1", "email": request.form.get(f"{key}:email") == "1"}
        if key in existing:
            env.records.update("notification_preferences", existing[key].id, values)
        else:
            env.records.create("notification_preferences", {"user_id": env.user.id, "kind": key, **values})
    db.session.commit()
    flash(gettext("Your notification choices are saved."), "success")
    return redirect("/notifications", code=303)


@web.get("/notifications/people")
@login_required
def mention_candidates() -> tuple[str, int]:
    """`<option>`s of the colleagues matching `q`, offered as one types "@" in a note: each
    option's value is what to write after the "@" (their full name when it names them
    alone, else their login), its text their name."""
    env = web_env()
    term = " ".join((request.args.get("q") or "").split())[:60]
    people = env.records.search("users", [["active", "=", True], ["kind", "=", "internal"]], search=term or None,
                                order=["name"], limit=MENTION_CHOICES).records
    choices = [(_mention_of(env, person), person.name) for person in people]
    return render_page("partials/mention_options.html", choices=choices)


def _mention_of(env: Any, person: Any) -> str:
    """What to write after "@" so that the note names `person` (core.notifications.watchers)."""
    named = [user.id for user in mentioned_users(env, f"@{person.name}")]
    return person.name if named == [person.id] else person.login
