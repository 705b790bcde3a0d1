"""What the records service refuses to delete or change away: the records the platform stands on.

Checked inside `RecordService.update` and `delete`, so every path that writes through
the service (API, web UI, imports, jobs, addon code, the system's own Env) meets them.
They guard against mistakes, an administrator's or a fuzzer's, not against permissions:

- A record an installed addon ships, of a model that keeps its shipped records
  (`Record.__keep_shipped__`: roles, model access), is not deleted: the platform and the
  addon's own code name it by external id. It goes when its addon is uninstalled, which
  forgets the external id first (core.addons.data).
- A record still held by others through a many-to-many field
  (`Record.__held_through__`: a role by the users who have it) is not deleted unless
  the caller asks to release it: the holders then let go of it first, each one an
  audited update, as the web UI does after asking.
- No change leaves the database without an active administrator (an active user with a
  full-access role, directly or through implied roles) where there was one. A new
  database, before its first administrator exists, is not refused anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import func, literal, select, true

from core.addons.state import ExternalId
from core.auth.models import Role, User, role_implications, user_roles
from core.db import db
from core.records.errors import InUse, Refused

if TYPE_CHECKING:
    from core.records.service import RecordService

__all__ = ["Holder", "refuse_shipped", "holders_of", "refuse_held", "release", "watch_administrators",
           "has_active_administrator"]

#: The most holders an error names; the rest are counted.
NAMED_HOLDERS = 10


@dataclass(frozen=True)
class Holder:
    """A record holding another through its many-to-many `field` (a user through `roles`)."""

    resource: str
    id: int
    name: str
    field: str

    def as_json(self) -> dict[str, Any]:
        """The holder as the API names it."""
        return {"resource": self.resource, "id": self.id, "name": self.name, "field": self.field}


def refuse_shipped(resource: str, record: Any) -> None:
    """Refused, if an installed addon ships `record` and its model keeps shipped records."""
    if not type(record).__keep_shipped__:
        return
    shipped = db.session.scalar(select(ExternalId).where(
        ExternalId.model == resource, ExternalId.record_id == record.id, ExternalId.demo.is_(False)))
    if shipped is not None:
        raise Refused(
            f"{resource} #{record.id} {record.display_name!r} is shipped by addon {shipped.addon!r} as "
            f"{shipped.full_key} and the platform relies on it: it cannot be deleted (uninstalling "
            f"{shipped.addon!r} removes it); change what it grants instead")


def _holdings(service: RecordService, record: Any) -> list[tuple[str, str, Any]]:
    """(holder resource, field, condition of its records holding `record`) for each field
    of an installed model that the record's model names in `__held_through__`."""
    found = []
    for resource, field_name in type(record).__held_through__:
        if resource in service.models:
            found.append((resource, field_name, getattr(service.models.get(resource), field_name).contains(record)))
    return found


def holders_of(service: RecordService, record: Any) -> list[Holder]:
    """Every record holding `record`, whether the acting user may see it or not."""
    found = []
    for resource, field_name, holding in _holdings(service, record):
        model = service.models.get(resource)
        found += [Holder(resource, row.id, row.display_name, field_name)
                  for row in db.session.scalars(select(model).where(holding).order_by(model.id))]
    return found


def refuse_held(service: RecordService, resource: str, record: Any) -> None:
    """InUse while anything holds `record`, naming the first holders the acting user may
    see (a hidden one is counted, never named)."""
    count = seen = 0
    named: list[Holder] = []
    fields: list[str] = []
    for holder_resource, field_name, holding in _holdings(service, record):
        model = service.models.get(holder_resource)
        holders = db.session.scalar(select(func.count()).select_from(model).where(holding)) or 0
        if holders:
            count += holders
            fields.append(f"{holder_resource}.{field_name}")
        if not holders or not service.policy.can(holder_resource, "read"):
            continue
        visible = service.select(holder_resource).where(holding)
        # Counted over ids: a whole-row subquery would name every column mapped in the
        # process, also those another app's addons added that this database lacks.
        seen += db.session.scalar(select(func.count()).select_from(
            visible.with_only_columns(model.id).subquery())) or 0
        if len(named) < NAMED_HOLDERS:
            rows = db.session.scalars(visible.order_by(model.id).limit(NAMED_HOLDERS - len(named)))
            named += [Holder(holder_resource, row.id, row.display_name, field_name) for row in rows]
    if not count:
        return
    listed = [f"{holder.name} ({holder.resource} #{holder.id})" for holder in named]
    if seen > len(named):
        listed.append(f"{seen - len(named)} more")
    if count > seen:
        listed.append(f"{count - seen} you may not see")
    raise InUse(f"{resource} #{record.id} {record.display_name!r} is still held by {count} record(s): "
                f"{', '.join(listed)}; remove it from their {' and '.join(fields)} first, then delete it "
                "(the web UI's delete offers to do both)", [holder.as_json() for holder in named], count)


def release(service: RecordService, record: Any) -> int:
    """Take `record` away from every record holding it, each by an update through the
    service (checked, audited, announced); returns how many let go of it."""
    holders = holders_of(service, record)
    for holder in holders:
        current = getattr(service.get(holder.resource, holder.id, operation="update"), holder.field)
        kept = [item.id for item in current if item.id != record.id]
        service.update(holder.resource, holder.id, {holder.field: kept})
    return len(holders)


def has_active_administrator() -> bool:
    """Whether some active user has a full-access role, directly or through implied roles."""
    held = (select(user_roles.c.user_id, user_roles.c.role_id)
            .join(User, User.id == user_roles.c.user_id).where(User.active.is_(True))
            .cte("held_roles", recursive=True))
    held = held.union(select(held.c.user_id, role_implications.c.implied_role_id)
                      .join(role_implications, role_implications.c.role_id == held.c.role_id))
    statement = (select(literal(1)).select_from(held).join(Role, Role.id == held.c.role_id)
                 .where(Role.full_access.is_(true())).limit(1))
    with db.session.no_autoflush:  # asked before a write is flushed: the state before it
        return db.session.scalar(statement) is not None


def watch_administrators(resource: str) -> Callable[[], None]:
    """Before a write to `resource`: the check to run once it is flushed, refusing it
    (Refused) if it left no active administrator where there was one. Only writes to
    users and roles can change who administers; any other resource costs nothing."""
    if resource not in (User.resource_name(), Role.resource_name()) or not has_active_administrator():
        return _nothing
    return _require_an_administrator


def _nothing() -> None:
    pass


def _require_an_administrator() -> None:
    if not has_active_administrator():
        count = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
        raise Refused(
            f"this change would leave no active administrator among the {count} active user(s): someone must "
            "still be able to sign in and repair permissions. Give another active user a full-access role "
            "(such as Administrator) first")
