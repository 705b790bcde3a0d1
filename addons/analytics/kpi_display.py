"""KPI values as the reader reads them: a number in their language with its unit, and the
change from the period before."""
from __future__ import annotations

from decimal import Decimal

from core.i18n import format_number

__all__ = ["show_value", "show_change"]

_PLACES = {"money": 0, "count": 0, "percent": 1, "days": 1, "hours": 1}
_SUFFIX = {"percent": " %", "days": " d", "hours": " h"}


def show_value(value: Decimal | None, unit: str, currency: str) -> str:
    """`value` with its unit ("12,400 EUR", "87.5 %", "3.2 h"); "—" when nothing was measured."""
    if value is None:
        return "—"
    text = format_number(value, _PLACES[unit])
    return f"{text} {currency}" if unit == "money" else text + _SUFFIX.get(unit, "")


def show_change(change: Decimal | None, previous: Decimal | None, unit: str) -> str:
    """The change with its sign, and in percent of the previous value for a total
    ("+1,200 (+11 %)"); a rate or duration changes in points or units ("+2.5 pt")."""
    if change is None:
        return "—"
    if not change:
        return "±0"
    sign = "+" if change > 0 else "−"
    text = sign + format_number(abs(change), _PLACES[unit])
    if unit == "percent":
        return text + " pt"
    text += _SUFFIX.get(unit, "")
    if unit in ("money", "count") and previous:
        text += f" ({sign}{format_number(abs(change) * 100 / abs(previous), 0)} %)"
    return text
