"""The permission tables (roles, implied roles, model access, record rules, field access),
read once per process and kept until an admin changes them.

Every flush or INSERT/UPDATE/DELETE statement that writes one of those tables sets a new
random stamp in `access_stamp`, in the same transaction (listeners on every SQLAlchemy
session, so the web UI, the API, the CLI, the installer and other gunicorn workers all
do). Each request reads the stamp together with the user's own roles in one small
query (or in the query that already reads the user: see `access_columns`); a stamp it
has not seen means the tables changed (here or in another process) and are read again.
Random stamps never repeat, so a snapshot cached under a stamp always matches the
database that wrote it, also across test databases cloned from one template.
"""
from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock
from typing import Any

from sqlalchemy import JSON, String, bindparam, event, func, insert, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from core.auth.models import Role, role_implications, user_roles
from core.db import db, transaction_scoped, written_table
from core.domain import context_values

__all__ = ["AccessStamp", "Grant", "Rule", "FieldGrant", "AccessSnapshot", "load_for_user", "access_columns",
           "remember_access_row"]


class AccessStamp(db.Model):  # type: ignore[name-defined,misc]
    """One row: a random value replaced whenever a permission table changes."""

    __tablename__ = "access_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32), nullable=False)


@dataclass(frozen=True)
class Grant:
    """A model access row, detached from any session."""

    role_id: int
    model: str
    can_read: bool
    can_create: bool
    can_update: bool
    can_delete: bool

    def allows(self, operation: str) -> bool:
        """Whether this grant covers `operation`."""
        return bool(getattr(self, f"can_{operation}"))


@dataclass(frozen=True)
class Rule:
    """A record rule, detached from any session (`domain` is never mutated)."""

    id: int
    name: str
    role_id: int | None
    model: str
    domain: Any
    applies_read: bool
    applies_create: bool
    applies_update: bool
    applies_delete: bool

    def applies_to(self, operation: str) -> bool:
        """Whether this rule restricts `operation`."""
        return bool(getattr(self, f"applies_{operation}"))

    @cached_property
    def context_values(self) -> frozenset[tuple[str, str]]:
        """The `$` values its domain uses (core.domain.context_values), read once per snapshot."""
        return frozenset(context_values(self.domain))


@dataclass(frozen=True)
class FieldGrant:
    """A field access row, detached from any session."""

    role_id: int
    can_read: bool
    can_write: bool


@dataclass(frozen=True)
class AccessSnapshot:
    """Every permission table of one database at one stamp."""

    role_names: dict[int, str]
    full_access: frozenset[int]
    implied: dict[int, tuple[int, ...]]
    grants: dict[str, tuple[Grant, ...]]
    rules: dict[str, tuple[Rule, ...]]
    fields: dict[str, tuple[FieldGrant, ...]]
    #: SQL compiled from these tables (record-rule conditions, list statements), kept for
    #: the requests that share it (see `AccessPolicy.reused`); it goes with the snapshot.
    compiled: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def closure(self, role_ids: set[int]) -> set[int]:
        """`role_ids` plus every role they imply, transitively."""
        seen: set[int] = set()
        stack = list(role_ids)
        while stack:
            role_id = stack.pop()
            if role_id not in seen:
                seen.add(role_id)
                stack.extend(self.implied.get(role_id, ()))
        return seen


def _read_snapshot(session: Session) -> AccessSnapshot:
    from core.access.models import FieldAccess, ModelAccess, RecordRule

    roles = session.execute(select(Role.id, Role.name, Role.full_access)).all()
    implied: dict[int, list[int]] = {}
    for role_id, implied_id in session.execute(select(role_implications.c.role_id,
                                                      role_implications.c.implied_role_id)):
        implied.setdefault(role_id, []).append(implied_id)
    grants: dict[str, list[Grant]] = {}
    for row in session.execute(select(ModelAccess.role_id, ModelAccess.model, ModelAccess.can_read,
                                      ModelAccess.can_create, ModelAccess.can_update, ModelAccess.can_delete)):
        grants.setdefault(row.model, []).append(Grant(*row))
    rules: dict[str, list[Rule]] = {}
    for row in session.execute(select(
            RecordRule.id, RecordRule.name, RecordRule.role_id, RecordRule.model, RecordRule.domain,
            RecordRule.applies_read, RecordRule.applies_create, RecordRule.applies_update,
            RecordRule.applies_delete).order_by(RecordRule.id)):
        rules.setdefault(row.model, []).append(Rule(*row))
    fields: dict[str, list[FieldGrant]] = {}
    for row in session.execute(select(FieldAccess.role_id, FieldAccess.model, FieldAccess.field_name,
                                      FieldAccess.can_read, FieldAccess.can_write)):
        fields.setdefault(f"{row.model}.{row.field_name}", []).append(
            FieldGrant(row.role_id, row.can_read, row.can_write))
    return AccessSnapshot(
        role_names={row.id: row.name for row in roles},
        full_access=frozenset(row.id for row in roles if row.full_access),
        implied={key: tuple(value) for key, value in implied.items()},
        grants={key: tuple(value) for key, value in grants.items()},
        rules={key: tuple(value) for key, value in rules.items()},
        fields={key: tuple(value) for key, value in fields.items()},
    )


#: Snapshots by (database URL, stamp): a few, as a test process (or a CLI) may use several databases.
_CACHE: OrderedDict[tuple[str, str | None], AccessSnapshot] = OrderedDict()
#: One snapshot per database a process serves (many organizations: one each), and some room.
_CACHE_SIZE = 256
_LOCK = Lock()


#: Built once: every request runs it, and a statement object keeps its cache key.
_STAMP_AND_ROLES = (select(AccessStamp.stamp, user_roles.c.role_id).select_from(AccessStamp)
                    .outerjoin(user_roles, user_roles.c.user_id == bindparam("user_id")).where(AccessStamp.id == 1))


#: Where `remember_access_row` leaves what another query read, in `Session.info`.
_PREREAD = transaction_scoped("spectrum.access_preread")


def access_columns(user_id: ColumnElement[int], dialect: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Two columns to add to a query that reads a user (an API request's token lookup):
    the tables' stamp and the user's own role ids (a JSON array), so that the request's
    `load_for_user` needs no query of its own when the stamp is one it has seen. Hand
    their values to `remember_access_row`."""
    stamp = select(AccessStamp.stamp).where(AccessStamp.id == 1).scalar_subquery()
    aggregate = func.json_agg if dialect == "postgresql" else func.json_group_array
    roles = (select(aggregate(user_roles.c.role_id, type_=JSON)).where(user_roles.c.user_id == user_id)
             .scalar_subquery())
    return stamp.label("access_stamp"), roles.label("access_roles")


def remember_access_row(session: Session, user_id: int, stamp: str | None, role_ids: list[int] | None) -> None:
    """Keep what `access_columns` read for `user_id` for this transaction's next
    `load_for_user`; any write in between (a flush, a statement) forgets it."""
    if stamp is not None:
        own = {role_id for role_id in role_ids or () if role_id is not None}
        session.info[_PREREAD] = (user_id, stamp, own)


def _preread(session: Session, user_id: int) -> tuple[str, set[int]] | None:
    found = session.info.pop(_PREREAD, None)
    if found is None or found[0] != user_id:
        return None
    return found[1], found[2]


@event.listens_for(Session, "after_flush")
def _forget_preread_on_flush(session: Session, flush_context: Any) -> None:
    """A flush may have given or taken roles: the pre-read row no longer holds."""
    session.info.pop(_PREREAD, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_preread_on_write(state: ORMExecuteState) -> None:
    """The same for a write statement run outside a flush."""
    if not state.is_select:
        state.session.info.pop(_PREREAD, None)


def load_for_user(session: Session, user_id: int | None) -> tuple[AccessSnapshot, set[int]]:
    """The snapshot current in the session's transaction and the ids of the user's own
    (not implied) roles: one query (none after `remember_access_row`), plus the tables
    themselves when the stamp changed."""
    user_key = user_id if user_id is not None else -1
    session.flush()  # roles given earlier in this transaction count; then a plain Core read (no ORM)
    preread = _preread(session, user_key)
    if preread is not None:
        stamp, own = preread
    else:
        rows = session.connection().execute(_STAMP_AND_ROLES, {"user_id": user_key}).all()
        if not rows:  # no stamp row yet (the first permission write makes it): read, never cache
            return _read_snapshot(session), set(session.scalars(select(user_roles.c.role_id)
                                                                 .where(user_roles.c.user_id == user_key)))
        stamp, own = rows[0][0], {row[1] for row in rows if row[1] is not None}
    key = (str(session.get_bind().engine.url), stamp)
    with _LOCK:
        snapshot = _CACHE.get(key)
        if snapshot is not None:
            _CACHE.move_to_end(key)
    if snapshot is None:
        snapshot = _read_snapshot(session)
        with _LOCK:
            _CACHE[key] = snapshot
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return snapshot, own


def _watched() -> tuple[type[Any], ...]:
    from core.access.models import FieldAccess, ModelAccess, RecordRule

    return (Role, ModelAccess, RecordRule, FieldAccess)


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """Give the permission tables a new stamp when this flush writes any of them (implied
    roles change through a Role, which the flush then counts as dirty)."""
    watched = _watched()
    if any(isinstance(obj, watched) for group in (session.new, session.dirty, session.deleted) for obj in group):
        _new_stamp(session)


@event.listens_for(Session, "do_orm_execute")
def _stamp_statements(state: ORMExecuteState) -> None:
    """The same for an INSERT, UPDATE or DELETE statement that the session runs on one of
    them outside a flush (the records service inserts batches so)."""
    if written_table(state) in {model.__table__ for model in _watched()}:
        _new_stamp(state.session)


def _new_stamp(session: Session) -> None:
    connection = session.connection()
    value = uuid.uuid4().hex
    if connection.execute(update(AccessStamp).where(AccessStamp.id == 1).values(stamp=value)).rowcount == 0:
        connection.execute(insert(AccessStamp).values(id=1, stamp=value))
