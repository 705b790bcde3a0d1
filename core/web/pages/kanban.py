"""Kanban boards for any model with a stage or status field."""
from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.domain import DomainError
from core.i18n import translate
from core.records.errors import AccessDenied, Conflict, RecordError, ValidationFailed
from core.records.grouping import group_by
from core.web.blueprint import render_page, web
from core.web.query import ListQuery
from core.web.rendering import DisplayContext
from core.web.security import login_required, web_env
from core.web.views import kanban_view

__all__ = ["board", "move_card", "quick_create"]

CARDS_PER_COLUMN = 50


def _columns(env: Any, resource: str, field_name: str) -> list[tuple[Any, str]]:
    """(value, title) of each column, in the field's order (choices, in the user's language, or
    the stages' order, by their names)."""
    field = env.records.meta(resource).field(field_name)
    if field.choices:
        return [(value, translate(label)) for value, label in field.choices]
    target = env.platform.models.by_table(field.relation or "")
    if field.kind == "many2one" and target:
        return [(record.id, record.display_name) for record in env.records.search(target, limit=100).records]
    abort(400)


def _step(value: Any, title: str) -> dict[str, Any]:
    """A card's move to the column (`value`, `title`): its tooltip and the pattern of its
    button's label, translated once for the board rather than for each card; the card's
    name fills `label` (`label % {"name": ...}`)."""
    return {"value": value, "title": gettext("Move to %(step)s", step=title),
            "label": gettext("Move %(name)s to %(step)s", name="%(name)s", step=title.replace("%", "%%"))}


def _board_context(resource: str, message: str | None = None) -> dict[str, Any]:
    env = web_env()
    view = kanban_view(env, resource)
    if view is None:
        abort(404)
    meta = env.records.meta(resource)
    field_name = view.options["group_by"]
    sums = list(view.options.get("sums", []))
    query = ListQuery.from_args(resource, request.args)
    domain = query.domain(env)
    groups = {g.value: g for g in group_by(env.records, resource, field_name, domain, sums=sums, search=query.q or None)}
    card_fields = [name for name in view.fields if name in meta.fields]
    board_columns = _columns(env, resource, field_name)
    cards = env.records.first_per_value(resource, field_name, [value for value, _title in board_columns], domain,
                                        limit=CARDS_PER_COLUMN, search=query.q or None)
    display = DisplayContext(env, meta, [card for shown, _more in cards.values() for card in shown], card_fields)
    steps = [_step(value, title) for value, title in board_columns]
    columns = []
    for index, (value, title) in enumerate(board_columns):
        shown, more = cards.get(value, ([], False))
        group = groups.get(value)
        columns.append({
            "value": value, "title": title, "cards": shown, "count": group.count if group else 0,
            "sums": group.sums if group else {name: 0 for name in sums}, "more": more, "display": display,
            "before": steps[index - 1] if index > 0 else None,
            "after": steps[index + 1] if index + 1 < len(steps) else None,
        })
    return dict(resource=resource, meta=meta, view=view, field_name=field_name, columns=columns, sums=sums,
                card_fields=[meta.fields[name] for name in card_fields], query=query, message=message,
                can_create=env.policy.can(resource, "create"), can_update=env.policy.can(resource, "update"))


@web.get("/m/<resource>/kanban")
@login_required
def board(resource: str) -> tuple[str, int]:
    """The board: one column per stage, with counts and totals computed in SQL."""
    try:
        return render_page("kanban.html", **_board_context(resource))
    except (DomainError, RecordError) as error:
        db.session.rollback()
        return render_page("error.html", 400, title=gettext("Cannot show the board"), message=str(error))


@web.post("/m/<resource>/<int:record_id>/move")
@login_required
def move_card(resource: str, record_id: int) -> Response | tuple[str, int]:
    """Move a card to another column (`to`, a step button's, else `value`, where it was dropped):
    an update through the records service (rules, events). The board comes back with the
    filter and search of the page it was moved on (the form posts to the page's query)."""
    env = web_env()
    view = kanban_view(env, resource)
    if view is None:
        abort(404)
    field_name = view.options["group_by"]
    value: Any = request.form.get("to") or request.form.get("value")
    message, status = None, 200
    try:
        env.records.update(resource, record_id, {field_name: value}, version=request.form.get("version", type=int))
        db.session.commit()
    except (Conflict, ValidationFailed, AccessDenied) as error:
        # The board comes back with the reason above it; the card stays where it was.
        db.session.rollback()
        message, status = str(error), error.status
    return render_page("kanban.html", status, **_board_context(resource, message), partial=True)


@web.post("/m/<resource>/kanban/create")
@login_required
def quick_create(resource: str) -> tuple[str, int]:
    """Create a record in a column from just its name."""
    env = web_env()
    view = kanban_view(env, resource)
    if view is None:
        abort(404)
    meta = env.records.meta(resource)
    values = {view.options["group_by"]: request.form.get("value"), meta.display_field: request.form.get("name", "")}
    values.update({key[3:]: val for key, val in request.form.items() if key.startswith("qc_")})
    message, status = None, 200
    try:
        env.records.create(resource, values)
        db.session.commit()
    except (ValidationFailed, AccessDenied) as error:
        db.session.rollback()
        message, status = str(error), error.status
    return render_page("kanban.html", status, **_board_context(resource, message), partial=True)
