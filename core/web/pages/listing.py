"""List pages: search, filters, sort, group-by, keyset pagination, bulk actions, CSV export."""
from __future__ import annotations

import csv
import io
import itertools
from typing import Any, Iterator

from flask import Response, abort, flash, redirect, request, stream_with_context
from flask_babel import gettext

from core.db import db
from core.domain import DomainError
from core.records.csv_cells import export_cell
from core.records.csv_io import export_kinds
from core.records.errors import RecordError
from core.records import pagination
from core.records.grouping import group_by
from core.web.blueprint import render_page, web
from core.web.pages.imports import grouped_imports_of
from core.web.pages.inline_edit import inline_editable
from core.web.pages.saved_views import default_view_url, share_roles, views_for
from core.web.filter_rows import BUILDER_OPERATORS, filterable_fields
from core.web.query import ListQuery
from core.web.query import PAGE_SIZES
from core.money import currency_places
from core.web.rendering import DisplayContext, format_value, money_display
from core.web.security import login_required, web_env
from core.web.views import chosen_columns, column_choices, list_columns, search_options

__all__ = ["list_page", "options", "bulk", "export"]


@web.get("/m/<resource>")
@login_required
def list_page(resource: str) -> Response | tuple[str, int]:
    """The list of a model's records the user may read."""
    env = web_env()
    env.policy.require(resource, "read")
    meta = env.records.meta(resource)
    if request.args.get("view", "").isdigit() and set(request.args) == {"view"}:
        return redirect(f"/m/{resource}/views/{request.args['view']}", code=303)
    if not request.args and (default := default_view_url(env, resource)):
        return redirect(default, code=303)
    query = ListQuery.from_args(resource, request.args)
    columns, ignored_columns = chosen_columns(env, resource, query.columns)
    search = search_options(env, resource)
    context: dict[str, Any] = dict(
        resource=resource, meta=meta, query=query, columns=columns, search=search, operators=BUILDER_OPERATORS,
        filterable=filterable_fields(env, resource),
        can_create=env.policy.can(resource, "create") and not meta.created_by_platform, can_update=env.policy.can(resource, "update"),
        can_delete=env.policy.can(resource, "delete"), has_kanban=_has_kanban(env, resource),
        saved_filters=views_for(env, resource), error=None, rows=[], groups=None, count=None,
        editable=inline_editable(env, resource), ignored_columns=ignored_columns,
        can_save_views="saved_filters" in env.platform.models and env.policy.can("saved_filters", "create"),
        column_choices=_column_choices(env, resource, columns), share_roles=share_roles(env),
        user_pickable="users" in env.platform.models and env.policy.can("users", "read"),
        list_actions=[action for action in env.platform.list_actions if action.model == resource],
        grouped_imports=grouped_imports_of(env, resource),
        targets={f.name: env.platform.models.by_table(f.relation or "") for f in meta.fields.values()
                 if f.kind == "many2one"},
    )
    try:
        domain = query.domain(env)
        if query.group:
            sums = [c for c in columns if meta.fields[c].summable]
            context["sum_headers"] = {name: _total_header(env, meta.fields[name]) for name in sums}
            context["total"] = lambda name, value: money_display(value or 0, _total_places(env, meta.fields[name]))
            groups = group_by(env.records, resource, query.group, domain, sums=sums, search=query.q or None)
            field = meta.field(query.group)
            display = DisplayContext(env, meta, [_GroupRow(query.group, g.value) for g in groups], [query.group])
            context.update(group_field=field, sums=sums,
                           groups=[(g, format_value(field, g.value, display)) for g in groups])
        else:
            size = query.size or int(env.platform.settings["page_size"])
            page = env.records.search(resource, domain, order=query.sort or None, cursor=query.cursor or None,
                                      search=query.q or None, limit=size)
            context["rows"] = page.records
            context["next_url"] = query.next_url(page.next_cursor, len(page.records)) if page.next_cursor else None
            context["previous_url"] = query.previous_url(size)
            context.update(page_size=size, page_sizes=PAGE_SIZES)
            context["display"] = DisplayContext(env, meta, page.records, columns)
            context["count"] = env.records.count(resource, domain, search=query.q or None,
                                                 cap=None if request.args.get("exact") else int(env.platform.settings["count_cap"]))
            context["search_bound"] = pagination.SEARCH_GATHER
    except (DomainError, RecordError, KeyError) as error:
        db.session.rollback()
        context["error"] = str(error).strip("'\"")
        return render_page("list.html", 400, **context)
    return render_page("list.html", **context)


def _total_header(env: Any, field: Any) -> str:
    """A total's column header, with the currency it is in when a setting names it."""
    if field.kind == "money" and field.currency_setting:
        return f"{field.label} ({env.platform.settings.get(field.currency_setting)})"
    return field.label


def _total_places(env: Any, field: Any) -> int:
    if field.kind == "money" and field.currency_setting:
        return currency_places(env.platform.settings.get(field.currency_setting))
    return field.digits[1] if field.digits else 0


class _GroupRow:
    """Lets a group's value be named like a record's field (for many2one groups)."""

    def __init__(self, name: str, value: Any) -> None:
        setattr(self, name, value)


def _has_kanban(env: Any, resource: str) -> bool:
    from core.web.views import kanban_view

    return kanban_view(env, resource) is not None


def _column_choices(env: Any, resource: str, shown: list[str]) -> list[tuple[Any, bool]]:
    """(field, shown) for the column chooser: the shown columns first, in their order."""
    meta = env.records.meta(resource)
    rest = [name for name in column_choices(env, resource) if name not in shown]
    return [(meta.fields[name], True) for name in shown if name in meta.fields] + \
        [(meta.fields[name], False) for name in rest]


@web.get("/m/<resource>/options")
@login_required
def options(resource: str) -> tuple[str, int]:
    """`<option>`s of records matching `q`, for many-to-one pickers (search as you type);
    `narrow=<field>&to=<value>` offers only the records whose field has that value (a
    sub-field's `narrow_by`, core.models.subforms)."""
    env = web_env()
    narrow = request.args.get("narrow")
    domain = [[narrow, "=", request.args.get("to")]] if narrow else None
    page = env.records.search(resource, domain, search=request.args.get("q") or None, limit=20)
    selected = request.args.get("selected", type=int)
    return render_page("partials/options.html", records=page.records, selected=selected,
                       allow_empty=request.args.get("empty") == "1")


@web.post("/m/<resource>/bulk")
@login_required
def bulk(resource: str) -> Response:
    """Apply one action to the ticked records: delete, assign, set a field."""
    env = web_env()
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit()]
    action = request.form.get("action", "")
    if not ids:
        flash(gettext("Tick at least one record."), "error")
        return redirect(request.form.get("back") or f"/m/{resource}", code=303)
    if action == "assign" and not request.form.get("value_id"):
        flash(gettext("Choose who to assign them to from the list: nothing was changed."), "error")
        return redirect(request.form.get("back") or f"/m/{resource}", code=303)
    done, failed = 0, []
    for record_id in ids:
        try:
            if action == "delete":
                env.records.delete(resource, record_id)
            elif action in ("assign", "set"):
                name = "owner_id" if action == "assign" else request.form.get("field", "")
                field = env.records.meta(resource).fields.get(name)
                # A person or a linked record is chosen by name in the picker (its id comes
                # with it); other fields take the value typed.
                picked = field is not None and field.kind == "many2one"
                value: Any = request.form.get("value_id" if picked else "value") or None
                env.records.update(resource, record_id, {name: value})
            else:
                abort(400)
            done += 1
        except RecordError as error:
            failed.append(f"#{record_id}: {error}")
    if failed:
        db.session.rollback()
        flash(gettext("Nothing was changed: %(count)s record(s) refused.", count=len(failed)) + " " + " ".join(failed[:5]), "error")
    else:
        db.session.commit()
        flash(gettext("%(action)s: %(count)s record(s) done.", action=gettext(action.title()), count=done), "success")
    return redirect(request.form.get("back") or f"/m/{resource}", code=303)


@web.get("/m/<resource>/export.csv")
@login_required
def export(resource: str) -> Response:
    """The list as CSV (same search and filters), streamed in batches."""
    env = web_env()
    query = ListQuery.from_args(resource, request.args)
    ids = [int(i) for i in request.args.getlist("ids") if i.isdigit()]
    domain = query.domain(env) + ([["id", "in", ids]] if ids else [])
    env.records.condition(resource, domain)  # a refused filter is a 400 page, before the file starts
    columns = [c for c in list_columns(env, resource)]
    columns = ["id", *[c for c in columns if c != "id"]]
    # The first batch is read before the answer starts: a refusal (no read access, a
    # malformed filter or sort) is then an error page, not a download cut short.
    records = iter(env.records.iterate(resource, domain, order=query.sort or None))
    first = next(records, None)
    kinds = export_kinds(env.records, resource)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        found = records if first is None else itertools.chain([first], records)
        for count, record in enumerate(found, start=1):
            row = env.records.dump(resource, [record], columns)[0]
            writer.writerow([export_cell(row.get(name), kinds.get(name, "text")) for name in columns])
            if count % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{resource}.csv"'})
