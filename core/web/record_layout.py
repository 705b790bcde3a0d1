"""How a record page is laid out: the header's key facts, the status bar, and the body's
field groups, all from the model's declared views (or sensible defaults from metadata).

A model's detail view may declare, in its options:

- ``facts``: the fields shown under the record's name in the header (a contact's account,
  title, owner, email, phone; a deal's amount, stage, close date, probability);
- ``status``: the choice or many-to-one field drawn as a bar of steps (a deal's stage,
  a ticket's status); by default the field its board is grouped by;
- ``groups``: ``[(label, [field, ...]), ...]``, the labelled groups of the body (Identity,
  Communication, Address). A form view may declare its own ``groups``; else the form
  follows the detail view's.

Fields no group names land in a first "Details" group; the fields the platform stamps
(version, created and updated by and at) and those a model keeps for the platform's use
(`field(system=True)`) form a "System" group, collapsed by default.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from core.env import Env
from core.i18n import translate
from core.models.meta import AUDIT_FIELDS, FieldMeta
from core.web.views import kanban_view, list_columns

__all__ = ["FieldGroup", "StatusStep", "field_groups", "header_facts", "status_field", "status_steps"]

_FACTS = 5
_MAX_STEPS = 12
DETAILS = "Details"
SYSTEM = "System"


@dataclass(frozen=True)
class FieldGroup:
    """A labelled group of fields on a record page or form."""

    label: str
    fields: list[FieldMeta]
    collapsed: bool = False


@dataclass(frozen=True)
class StatusStep:
    """One step of a status bar: its stored value, its label (in the user's language for a
    choice; a record's name as it is), and where the record is."""

    value: Any
    label: str
    current: bool
    done: bool


def _detail_options(env: Env, resource: str) -> dict[str, Any]:
    view = env.platform.view(resource, "detail")
    return dict(view.options) if view else {}


def field_groups(env: Env, resource: str, names: Sequence[str], kind: str = "detail") -> list[FieldGroup]:
    """`names` (the page's fields, in order) in the groups the `kind` view declares (a form
    falls back on the detail view's); the rest in "Details", stamps in a collapsed "System"."""
    meta = env.records.meta(resource)
    view = env.platform.view(resource, kind)
    declared = (view.options.get("groups") if view else None) or _detail_options(env, resource).get("groups") or ()
    shown = [name for name in names if name in meta.fields]
    stamps = {name for name in shown if name in AUDIT_FIELDS or meta.fields[name].system}
    placed: set[str] = set()
    groups: list[FieldGroup] = []
    for label, members in declared:
        fields = [meta.fields[name] for name in members if name in shown and name not in stamps]
        placed.update(field.name for field in fields)
        if fields:
            groups.append(FieldGroup(label, fields))
    rest = [meta.fields[name] for name in shown if name not in placed and name not in stamps]
    if rest:
        groups.insert(0, FieldGroup(DETAILS, rest)) if not groups else groups.append(FieldGroup("Other", rest))
    system = [meta.fields[name] for name in shown if name in stamps and name != "id"]
    if system:
        groups.append(FieldGroup(SYSTEM, system, collapsed=True))
    return groups


def header_facts(env: Env, resource: str) -> list[FieldMeta]:
    """The key facts under the record's name: the detail view's `facts`, else the first
    columns of its list besides the name and the status."""
    meta = env.records.meta(resource)
    readable = set(env.records.readable_fields(resource))
    declared = _detail_options(env, resource).get("facts")
    if declared is None:
        skip = {meta.display_field, status_field(env, resource)}
        declared = [name for name in list_columns(env, resource) if name not in skip][:_FACTS]
    return [meta.fields[name] for name in declared if name in readable and name in meta.fields]


def status_field(env: Env, resource: str) -> str | None:
    """The field drawn as the status bar: the detail view's `status`, else the board's grouping."""
    declared = _detail_options(env, resource).get("status")
    if declared:
        return str(declared)
    board = kanban_view(env, resource)
    return str(board.options["group_by"]) if board else None


def status_steps(env: Env, resource: str, record: Any) -> list[StatusStep]:
    """The steps of the record's status bar, the current one marked (empty without a status
    field, or when its steps are too many to draw as a bar)."""
    name = status_field(env, resource)
    if name is None or name not in env.records.readable_fields(resource):
        return []
    field = env.records.meta(resource).fields[name]
    current = getattr(record, name)
    options: list[tuple[Any, str]]
    if field.choices:
        options = [(value, translate(label)) for value, label in field.choices]
    else:
        target = env.platform.models.by_table(field.relation or "")
        if field.kind != "many2one" or not target or not env.policy.can(target, "read"):
            return []
        options = [(r.id, r.display_name) for r in env.records.search(target, limit=_MAX_STEPS + 1).records]
    if not options or len(options) > _MAX_STEPS:
        return []
    position = next((i for i, (value, _label) in enumerate(options) if value == current), -1)
    return [StatusStep(value, label, i == position, i < position) for i, (value, label) in enumerate(options)]
