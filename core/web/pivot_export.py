"""A pivot's grid (core.web.pivot_grid) as a CSV text or an XLSX workbook: one header
row, then a row per group, nested groups indented, and the totals."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from core.records.csv_cells import export_cell
from core.web.pivot_grid import Grid

__all__ = ["grid_csv", "grid_xlsx"]

#: Spaces before a nested group's label in the first column.
_INDENT = "  "
#: Longest sheet title Excel accepts.
_SHEET_TITLE_MAX = 31


def _label(level: int, label: str) -> str:
    return _INDENT * max(0, level - 1) + label


def grid_csv(grid: Grid) -> str:
    """The grid as CSV (a cell that a spreadsheet would run as a formula is quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([export_cell(name, "text") for name in grid.flat_header()])
    for row in grid.rows:
        writer.writerow([export_cell(_label(row.level, row.label), "text"),
                         *[_text(value, grid.places_at(index)) for index, value in enumerate(row.values)]])
    return buffer.getvalue()


def grid_xlsx(grid: Grid, title: str) -> bytes:
    """The grid as an XLSX workbook of one sheet named `title`: figures as numbers,
    headings and totals in bold, nested groups indented."""
    # Imported when a workbook is asked for: openpyxl (with numpy) would add a quarter of
    # a second to every worker's start.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:_SHEET_TITLE_MAX] or "Pivot"
    sheet.append(grid.flat_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        _as_text(cell)
    for row in grid.rows:
        sheet.append([row.label, *[_number(value) for value in row.values]])
        line = sheet[sheet.max_row]
        _as_text(line[0])
        line[0].alignment = Alignment(indent=max(0, row.level - 1) * 2)
        if row.level == 0 or row.has_children:
            for cell in line:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = max(12, min(48, max(len(row.label) for row in grid.rows) + 4))
    sheet.freeze_panes = "B2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _text(value: Any, places: int) -> str:
    """A figure as CSV text: its measure's decimals, a point, no grouping."""
    if value is None:
        return ""
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places))) if places else str(value)


def _as_text(cell: Any) -> None:
    """Keep a label that starts with '=' as text: openpyxl would store it as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _number(value: Any) -> Any:
    """A figure as a spreadsheet number (Decimal kept exact as far as a float goes)."""
    return float(value) if isinstance(value, Decimal) else value
