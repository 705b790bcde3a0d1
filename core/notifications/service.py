"""Telling a user: the inbox row and/or the email their preferences ask for, never about a
record they may not read."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import func, select

from core.db import db
from core.declarations import NotificationKind
from core.env import Env
from core.notifications.models import Notification, NotificationPreference
from core.records.errors import AccessDenied, NotFound

__all__ = ["notify", "notification_kinds", "preferences_of", "unread_count", "NOTIFICATION_CHANNEL"]

#: The consent channel of notification emails (a user may still turn each kind off).
NOTIFICATION_CHANNEL = "email.notifications"
#: The text of a notification email: its details, then the link to the record.
_EMAIL_TEXT = "{% if values.body %}{{ values.body }}\n\n{% endif %}{{ values.link }}"


def notification_kinds(env: Env) -> dict[str, NotificationKind]:
    """Every kind the kernel and the installed addons declare, by key."""
    return {kind.key: kind for kind in env.platform.notification_kinds}


def preferences_of(env: Env, user_id: int) -> dict[str, tuple[bool, bool]]:
    """(in the app, by email) per kind for a user: their choice, else the kind's default."""
    chosen = {row.kind: (row.in_app, row.email) for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    return {key: chosen.get(key, (kind.in_app, kind.email)) for key, kind in notification_kinds(env).items()}


def unread_count(user_id: int) -> int:
    """How many notifications the user has not read (the bell's figure)."""
    return int(db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def _may_read(recipient: Any, record: tuple[str, int]) -> bool:
    try:
        Env.for_user(recipient).records.get(*record)
    except (NotFound, AccessDenied):
        return False
    return True


def notify(env: Env, user_id: int, kind: str, title: str, *, body: str | None = None,
           record: tuple[str, int] | None = None,
           email: Callable[[Env, Any], Any] | None = None) -> Notification | None:
    """Tell user `user_id` about `record` (resource, id): an inbox row and/or an email, as
    their preferences for `kind` say. Nobody is told of a record they may not read, nor
    is an inactive user; returns the inbox row, if one was made. The caller commits.

    :param email: `email(env, recipient)` sends the kind's own message (a reminder with
        the due time) when the recipient takes `kind` by email; without it the kernel
        sends the title, the body and the record's link."""
    kinds = notification_kinds(env)
    if kind not in kinds:
        raise KeyError(f"no notification kind {kind!r} is declared; declared: {', '.join(sorted(kinds))}")
    users = env.platform.models.get("users")
    recipient = db.session.get(users, user_id)
    if recipient is None or not recipient.active or recipient.kind != "internal":
        return None
    if record is not None and not _may_read(recipient, record):
        return None
    in_app, by_email = preferences_of(env, user_id)[kind]
    row = None
    system = Env.system(env.user)
    if in_app:
        row = system.records.create("notifications", {
            "user_id": user_id, "kind": kind, "title": title[:300], "body": body,
            "related_model": record[0] if record else None, "related_id": record[1] if record else None,
        })
    if by_email and recipient.email:
        if email is not None:
            email(system, recipient)
        else:
            _email(system, recipient, title, body, record)
    return row


def _email(env: Env, recipient: Any, title: str, body: str | None, record: tuple[str, int] | None) -> None:
    from core.mail.outbound import send_mail

    base = (env.platform.settings.get("base_url") or "").rstrip("/")
    link = f"{base}/m/{record[0]}/{record[1]}" if record else f"{base}/notifications"
    # The title and body hold what users wrote (a note, a record's name): they go in as
    # values, never into the template's source, where "{{ ... }}" would run.
    send_mail(env, recipient.email, to_name=recipient.name, subject="{{ values.title }}", text=_EMAIL_TEXT,
              values={"title": title, "body": body or "", "link": link}, channel=NOTIFICATION_CHANNEL, track=False)
