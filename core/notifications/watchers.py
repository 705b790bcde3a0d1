"""The kernel's notifications, raised from record events: a record given to someone
(`assignment`: a field naming whom it is given to, `FieldMeta.assignee`, such as its
owner_id, changes to another person than the one acting) and a person named in a note (`mention`: "@Grace Hopper" or "@ghopper" in a text
field). Changes the platform makes on its own (installs, imports without an author) are not
announced."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select

from core.db import db
from core.declarations import EventHandler, NotificationKind
from core.env import Env
from core.i18n import language_of
from core.notifications.service import notify
from core.records.bulk import one_of
from core.signals import record_created, record_updated

__all__ = ["kernel_kinds", "watchers", "mentioned_users"]

_MENTION = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?: \w[\w\-]*)?)")
_SKIPPED = frozenset({"notifications", "notification_preferences", "users", "audit_trail"})


def kernel_kinds() -> list[NotificationKind]:
    """Assigned to me, and mentioned."""
    return [NotificationKind("assignment", "A record is assigned to me", in_app=True, email=False),
            NotificationKind("mention", "Someone mentions me", in_app=True, email=True)]


def _user(env: Env, user_id: int) -> Any:
    return db.session.get(env.platform.models.get("users"), user_id)


def _assigned(resource: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_kw: Any) -> None:
    if env.user is None or resource in _SKIPPED:
        return
    meta = env.records.meta(resource)
    for name, field in meta.fields.items():
        if not field.assignee or field.kind != "many2one":
            continue
        new = getattr(record, name, None) if changes is None else (changes[name][1] if name in changes else None)
        if new in (None, "") or int(new) == env.user.id:
            continue
        recipient = _user(env, int(new))
        if recipient is None:
            continue
        with language_of(recipient):
            title = gettext("%(who)s assigned %(what)s to you", who=env.user.name, what=record.display_name)
        notify(env, recipient.id, "assignment", title, record=(resource, record.id))


def _assigned_batch(resource: str, ids: list[int], env: Env, **_kw: Any) -> None:
    """`_assigned` for new records, read only where an assignee is someone else."""
    if env.user is None or resource in _SKIPPED:
        return
    model = env.platform.models.get(resource)
    assignees = [getattr(model, name) for name, field in env.records.meta(resource).fields.items()
                 if field.assignee and field.kind == "many2one"]
    if assignees:
        _each(model, ids, or_(*[and_(column.isnot(None), column != env.user.id) for column in assignees]),
              lambda record: _assigned(resource, record, env))


def _mentions_batch(resource: str, ids: list[int], env: Env, **_kw: Any) -> None:
    """`_mentions` for new records, read only where a text holds an @."""
    if env.user is None or resource in _SKIPPED:
        return
    model = env.platform.models.get(resource)
    texts = [getattr(model, name) for name, field in env.records.meta(resource).fields.items()
             if field.kind in ("longtext", "text") and field.is_column]
    if texts:
        _each(model, ids, or_(*[column.contains("@", autoescape=True) for column in texts]),
              lambda record: _mentions(resource, record, env))


#: Ids of a batch read at a time (the records a batch handler looks at are few).
_CHUNK = 5000


def _each(model: Any, ids: list[int], condition: Any, handle: Any) -> None:
    """Call `handle` on each record of `ids` that meets `condition`, read a chunk at a time."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for record in db.session.scalars(select(model).where(one_of(model.id, chunk), condition).order_by(model.id)):
            handle(record)


def mentioned_users(env: Env, text: str) -> list[Any]:
    """The active internal users a text names with @: by login or by full name."""
    candidates = {match.group(1).lower() for match in _MENTION.finditer(text or "")}
    if not candidates:
        return []
    # A mention is "@login", "@login more words" or "@Full Name": a login or a name equals
    # the candidate or its first word. One query for those names only.
    keys = candidates | {candidate.split(" ")[0] for candidate in candidates}
    users = env.platform.models.get("users")
    return list(db.session.scalars(select(users).where(
        users.active.is_(True), users.kind == "internal",
        or_(func.lower(users.login).in_(keys), func.lower(users.name).in_(keys))).order_by(users.id)))


def _mentions(resource: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_kw: Any) -> None:
    if env.user is None or resource in _SKIPPED:
        return
    meta = env.records.meta(resource)
    texts = [str(getattr(record, name) or "") for name, field in meta.fields.items()
             if field.kind in ("longtext", "text") and (changes is None or name in changes)]
    text = "\n".join(part for part in texts if "@" in part)
    if not text:
        return
    # An edit tells only those it newly mentions: fixing a typo in a note is not news to
    # the people it named already. `changes` holds the texts as they were.
    before = "\n".join(str(changes[name][0] or "") for name in changes if name in meta.fields
                       and meta.fields[name].kind in ("longtext", "text")) if changes is not None else ""
    told_already = {user.id for user in mentioned_users(env, before)} if "@" in before else set()
    for user in mentioned_users(env, text):
        if user.id == env.user.id or user.id in told_already:
            continue
        with language_of(user):
            title = gettext("%(who)s mentioned you on %(what)s", who=env.user.name, what=record.display_name)
        notify(env, user.id, "mention", title, body=text[:500], record=(resource, record.id))


def watchers() -> list[EventHandler]:
    """The record events that raise the kernel's notifications (a failure to notify is
    logged, never a reason to refuse the change that caused it)."""
    return [EventHandler(record_created, _assigned, batch=_assigned_batch), EventHandler(record_updated, _assigned),
            EventHandler(record_created, _mentions, batch=_mentions_batch), EventHandler(record_updated, _mentions)]
