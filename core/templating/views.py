"""Records as user templates see them: read-only views holding plain values.

A view never hands out an ORM instance, session, query or mapper. It reads a record
through the records service of the acting user (record rules apply), offers only the
fields that user may read (field access applies), and turns each value into a plain one
by its field kind: text, numbers, dates, tag names, the id of a linked record, and for
links a view of the linked record (`record.account.name`), read the same way.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from core.records.errors import NotFound

if TYPE_CHECKING:
    from core.env import Env

__all__ = ["ReadOnlyView", "RecordView", "plain_json"]


class ReadOnlyView:
    """What a user template may read attributes of (see core.templating.sandbox)."""

    __slots__ = ()


class RecordView(ReadOnlyView):
    """One record as the acting user may read it.

    `record.<field>` is the field's value as plain data; `record.<link>` (a many-to-one
    field `<link>_id`) is a view of the linked record, or None when there is none or the
    user may not read it; a many-to-many field is a tuple of views of the linked records
    the user may read; tags are a tuple of their names; `record.display_name` is the
    record's name.
    """

    __slots__ = ("_env", "_resource", "_record", "_readable", "_links")

    def __init__(self, env: Env, resource: str, record: Any, readable: frozenset[str] | None = None) -> None:
        self._env, self._resource, self._record = env, resource, record
        self._readable = readable if readable is not None else frozenset(env.records.readable_fields(resource))
        self._links: dict[str, RecordView | None] = {}

    @classmethod
    def many(cls, env: Env, resource: str, records: Iterable[Any], follow: Sequence[str] = ()) -> list[RecordView]:
        """Views of `records` (already read as `env`'s user) whose links named in `follow`
        (`account` for `account_id`) are read for all of them at once: one search per link
        through the records service, instead of one read per record when a template
        follows it. A linked record the user may not read is None, as for one view."""
        readable = frozenset(env.records.readable_fields(resource))
        views = [cls(env, resource, record, readable) for record in records]
        meta = env.records.meta(resource)
        for name in follow:
            link = meta.fields.get(f"{name}_id")
            target = env.platform.models.by_table(link.relation or "") if link is not None else None
            if link is None or link.kind != "many2one" or link.name not in readable or target is None:
                continue
            ids = sorted({getattr(view._record, link.name) for view in views} - {None})
            found = env.records.search(target, [["id", "in", ids]], limit=len(ids)).records if ids else []
            target_readable = frozenset(env.records.readable_fields(target))
            linked = {record.id: cls(env, target, record, target_readable) for record in found}
            for view in views:
                view._links[name] = linked.get(getattr(view._record, link.name))
        return views

    @classmethod
    def of(cls, env: Env, resource: str, record_id: int) -> RecordView:
        """The view of record `record_id` of `resource`, read as `env`'s user (NotFound if hidden)."""
        return cls(env, resource, env.records.get(resource, record_id))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "display_name":
            return str(self._record.display_name)
        meta = self._env.records.meta(self._resource)
        if name in self._readable:
            return self._value(meta.fields[name], getattr(self._record, name))
        if name in self._links:
            return self._links[name]
        link = meta.fields.get(f"{name}_id")
        if link is not None and link.kind == "many2one" and link.name in self._readable:
            return self._linked(link.relation, getattr(self._record, link.name))
        raise AttributeError(f"{self._resource} has no field {name!r} you may read")

    def _value(self, field: Any, value: Any) -> Any:
        if value is None:
            return None
        if field.kind == "tags":
            return tuple(sorted(tag.name for tag in value))
        if field.kind == "many2many":
            return self._many(field.relation, [related.id for related in value])
        if field.kind == "json":
            return plain_json(value)
        if isinstance(value, (str, bool, int, Decimal, date, datetime)):
            return value
        return str(value)

    def _linked(self, table: str | None, record_id: int | None) -> RecordView | None:
        resource = self._env.platform.models.by_table(table) if table else None
        if resource is None or record_id is None:
            return None
        try:
            return RecordView.of(self._env, resource, record_id)
        except NotFound:
            return None

    def _many(self, resource: str | None, ids: list[int]) -> tuple[RecordView, ...]:
        if resource is None or not ids:
            return ()
        records = self._env.records.search(resource, [["id", "in", ids]], limit=len(ids)).records
        return tuple(RecordView(self._env, resource, record) for record in records)

    def __str__(self) -> str:
        return str(self._record.display_name)

    def __repr__(self) -> str:
        return f"<{self._resource} view>"


def plain_json(value: Any) -> Any:
    """A copy of a JSON value made only of dicts, lists, text, numbers, booleans and None."""
    if isinstance(value, dict):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float, Decimal)):
        return value
    return str(value)
