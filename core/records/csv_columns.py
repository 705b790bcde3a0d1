"""How CSV columns become field values: header mapping and links given by name."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Mapping, Sequence

from sqlalchemy import func

from core.db import db
from core.declarations import ImportMapping
from core.records.csv_cells import import_cell
from core.records.errors import RecordError
from core.records.service import RecordService

__all__ = ["map_headers", "RowReader", "LINK_CACHE_SIZE"]

#: Names of linked records remembered during one import (bounded: imports run in constant memory).
LINK_CACHE_SIZE = 2000


def map_headers(headers: Sequence[str], service: RecordService, resource: str, mapping: ImportMapping | None,
                overrides: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(CSV header -> field, ignored headers).

    A header maps through, in this order: `overrides` (`--map COLUMN=FIELD`; an empty
    FIELD ignores the column), the import mapping's columns, then a field's name or
    label (all case-insensitive). A mapping to a field the user may not write, an
    override naming no column, or two columns for one field stop the import."""
    meta = service.meta(resource)
    writable = set(service.writable_fields(resource))
    by_name = {name.lower(): name for name in writable}
    by_label = {meta.fields[name].label.lower(): name for name in writable}
    declared = {k.lower(): v for k, v in (mapping.columns if mapping else {}).items()}
    wanted = {k.strip().lower(): v.strip() for k, v in overrides.items()}
    missing = sorted(set(wanted) - {h.strip().lower() for h in headers})
    if missing:
        raise RecordError(f"--map names column(s) {', '.join(missing)} that the file does not have; "
                          f"its columns are: {', '.join(headers)}")
    result: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        key = header.strip().lower()
        target = wanted[key] if key in wanted else (declared.get(key) or by_name.get(key) or by_label.get(key))
        if not target:
            ignored.append(header)
            continue
        if target not in writable:
            hint = "it is not a field" if target not in meta.fields else "it is read-only or needs field access"
            raise RecordError(f"column {header!r} maps to {target!r}, which you cannot import into {resource}: {hint}")
        if target in result.values():
            other = next(h for h, t in result.items() if t == target)
            raise RecordError(f"columns {other!r} and {header!r} both map to the field {target!r}; "
                              f"ignore one with --map '{header}='")
        result[header] = target
    return result, ignored


class RowReader:
    """Turns one CSV row into field values for the records service.

    Empty cells are left out (on an update they keep the stored value); tags are
    comma-separated; a link (many-to-one) is a record id or the linked record's display
    name, looked up among the records the user may read."""

    def __init__(self, service: RecordService, resource: str, columns: Mapping[str, str]) -> None:
        self.service = service
        self.meta = service.meta(resource)
        self.columns = dict(columns)
        self._links: OrderedDict[tuple[str, str], int | str] = OrderedDict()

    def values(self, row: Mapping[str, str | None]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """(values, errors by field) of `row`."""
        cells = {}
        for header, name in self.columns.items():
            raw = (row.get(header) or "").strip()
            if raw != "":
                cells[name] = import_cell(raw, self.meta.fields[name].kind)
        return self.field_values(cells)

    def field_values(self, cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """(values, errors by field) of the non-empty cells of a row, by field name, as
        read from the file (trimmed, an export's quote taken off)."""
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, raw in cells.items():
            field = self.meta.fields[name]
            if field.kind in ("tags", "many2many"):
                values[name] = [part.strip() for part in raw.split(",") if part.strip()]
            elif field.kind == "many2one" and not raw.isdigit():
                found = self._link(field.relation, raw)
                if isinstance(found, str):
                    errors[name] = [found]
                else:
                    values[name] = found
            else:
                values[name] = raw
        return values, errors

    def _link(self, table: str | None, name: str) -> int | str:
        """The id of the record of `table` named `name`, or the reason there is none."""
        key = (table or "", name)
        if key in self._links:
            self._links.move_to_end(key)
            return self._links[key]
        found = self._lookup(table, name)
        self._links[key] = found
        if len(self._links) > LINK_CACHE_SIZE:
            self._links.popitem(last=False)
        return found

    def _lookup(self, table: str | None, name: str) -> int | str:
        target = self.service.models.by_table(table or "")
        if target is None:
            return f"links to {table!r}, which is not installed"
        model = self.service.models.get(target)
        display = self.service.meta(target).display_field
        if display not in model.__table__.c:
            return f"give the id of the {target} record: they cannot be found by name"
        column = getattr(model, display)
        base = self.service.select(target).with_only_columns(model.id).limit(2)
        # The exact name first (an index serves it), then the name in any case.
        ids = db.session.scalars(base.where(column == name)).all() or \
            db.session.scalars(base.where(func.lower(column) == name.lower())).all()
        if not ids:
            return f"no {target} record named {name!r} that you can see"
        if len(ids) > 1:
            return f"several {target} records are named {name!r}: give the id instead"
        return ids[0]
