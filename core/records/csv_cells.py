"""CSV cells that a spreadsheet never runs, read back exactly as they were written.

A cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before looking) is a formula to Excel, LibreOffice and Google Sheets:
a contact named `=HYPERLINK("http://evil.example","x")` became a live link in the file
of whoever opened an export. Following OWASP's advice on CSV injection, an export writes
such text cells with a leading single quote, which spreadsheets read as "this is text".

So that an exported file imports back to the same values, text made of quotes followed
by such a character gets one more quote too, and the import takes exactly one quote off
a cell of that shape: `'=1` reads `=1`, `''=1` reads `'=1`, and a cell such as
`'Tis the season` (from an export or any other source) is read as it is. Numbers, dates, booleans and
links are written as they are: a negative amount stays a number.
"""
from __future__ import annotations

from typing import Any

__all__ = ["export_cell", "import_cell", "FORMULA_STARTS"]

#: What makes a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Field kinds whose cells are values the platform formats itself, never free text.
_PLAIN_KINDS = frozenset({"integer", "decimal", "money", "date", "datetime", "boolean", "many2one"})

_QUOTE = "'"


def _needs_quote(text: str) -> bool:
    """Whether an export quotes `text`: it starts like a formula, or it is quotes followed
    by a formula (so that the import's taking one quote off gives it back)."""
    while text.startswith(_QUOTE):
        text = text[1:]
    return text.startswith(FORMULA_STARTS)


def export_cell(value: Any, kind: str) -> Any:
    """The CSV cell of a dumped `value` of a field of `kind`: lists comma-separated, None
    empty, and text that a spreadsheet would run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    if kind in _PLAIN_KINDS or not isinstance(value, str):
        return value
    return _QUOTE + value if _needs_quote(value) else value


def import_cell(raw: str, kind: str) -> str:
    """The value of a CSV cell of a field of `kind`, without the quote an export added."""
    if kind not in _PLAIN_KINDS and raw.startswith(_QUOTE) and _needs_quote(raw[1:]):
        return raw[1:]
    return raw
