"""Which fields each page shows: declared views, or sensible defaults from metadata."""
from __future__ import annotations

from typing import Any

from core.declarations import View
from core.env import Env
from core.models.meta import AUDIT_FIELDS

__all__ = ["list_columns", "chosen_columns", "column_choices", "form_fields", "search_options", "kanban_view",
           "detail_fields"]

_DEFAULT_COLUMNS = 7


def _declared(env: Env, resource: str, kind: str) -> View | None:
    return env.platform.view(resource, kind)


def list_columns(env: Env, resource: str) -> list[str]:
    """Columns of the list: the declared list view, else the first readable fields."""
    readable = env.records.readable_fields(resource)
    view = _declared(env, resource, "list")
    if view:
        return [name for name in view.fields if name in readable]
    meta = env.records.meta(resource)
    names = [name for name in readable if name not in AUDIT_FIELDS and not meta.fields[name].system
             and meta.fields[name].kind not in ("longtext", "json")]
    display = meta.display_field if meta.display_field in names else None
    ordered = ([display] if display else []) + [n for n in names if n != display]
    return ordered[:_DEFAULT_COLUMNS]


def column_choices(env: Env, resource: str) -> list[str]:
    """Fields a list may show as columns: the readable stored fields, not the system ones."""
    meta = env.records.meta(resource)
    return [name for name in env.records.readable_fields(resource)
            if meta.fields[name].is_column and not meta.fields[name].system and meta.fields[name].kind != "json"]


def chosen_columns(env: Env, resource: str, wanted: list[str]) -> tuple[list[str], list[str]]:
    """(columns, ignored): the columns the user chose that the list can show, in their order
    (the list view's when they chose none), and those it cannot (gone, or not readable)."""
    if not wanted:
        return list_columns(env, resource), []
    allowed = set(column_choices(env, resource))
    columns = list(dict.fromkeys(name for name in wanted if name in allowed))
    ignored = [name for name in wanted if name not in allowed]
    return (columns or list_columns(env, resource)), ignored


def form_fields(env: Env, resource: str) -> list[str]:
    """Fields of the form: the declared form view, else every writable field."""
    writable = env.records.writable_fields(resource)
    view = _declared(env, resource, "form")
    if view:
        return [name for name in view.fields if name in writable]
    return list(writable)


def detail_fields(env: Env, resource: str) -> list[str]:
    """Fields on the detail page: those the declared detail view lists, else every readable
    field (a view that only declares the page's facts and groups lists none)."""
    readable = env.records.readable_fields(resource)
    view = _declared(env, resource, "detail")
    if view and view.fields:
        return [name for name in view.fields if name in readable]
    return [name for name in readable if name != "id"]


def search_options(env: Env, resource: str) -> dict[str, Any]:
    """Named filters and group-by fields of the list's search panel. The search views of
    one model add up, in the order their addons were loaded: an addon that extends a model
    of another (its fields, through a model extension) adds its own filters (one of the
    same name replaces the earlier) and group-by fields after the owner's."""
    filters: dict[str, Any] = {}
    declared: list[str] = []
    for view in env.platform.views_of(resource, "search"):
        filters |= dict(view.options.get("filters", {}))
        declared += [name for name in view.options.get("group_by", ()) if name not in declared]
    readable = set(env.records.readable_fields(resource))
    meta = env.records.meta(resource)
    group_by = declared or [
        f.name for f in meta.fields.values() if f.kind in ("choice", "many2one", "boolean") and f.name in readable
        and f.name not in AUDIT_FIELDS
    ]
    return {"filters": filters, "group_by": [g for g in group_by if g in readable]}


def kanban_view(env: Env, resource: str) -> View | None:
    """The kanban view of a model; models with a choice field named stage or status get one."""
    view = _declared(env, resource, "kanban")
    if view:
        return view
    meta = env.records.meta(resource)
    for name in ("stage_id", "stage", "status", "state"):
        if name in meta.fields and meta.fields[name].kind in ("choice", "many2one"):
            return View(resource, "kanban", fields=[meta.display_field], options={"group_by": name})
    return None
