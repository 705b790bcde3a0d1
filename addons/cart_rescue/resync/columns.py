"""The columns of a shop's order export: Shopify's and a generic format, one row per order
line, read into one order (generic event fields) per group of rows.

Generic format (headers in any case, spaces or underscores): `order_id, placed_at, email,
first_name, last_name, currency, total, status, product_id, sku, line_name, quantity,
unit_price`. Shopify's order export: `Name` (the order, "#1001"), `Email`, `Created at`,
`Currency`, `Total`, `Financial Status`, `Billing Name`, `Lineitem name`, `Lineitem
quantity`, `Lineitem price`, `Lineitem sku`; its order columns are filled on an order's
first row only, so an order's value is the first one its rows give.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Mapping, Sequence

__all__ = ["ALIASES", "OrderRows", "order_key", "read_order"]

#: Field -> the headers (folded: lower case, single spaces) that give it.
ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": ("order id", "name", "order"),
    "placed_at": ("placed at", "created at"),
    "email": ("email",),
    "first_name": ("first name", "billing first name"),
    "last_name": ("last name", "billing last name"),
    "full_name": ("billing name",),
    "currency": ("currency",),
    "total": ("total", "order total"),
    "status": ("status", "financial status"),
    "product_id": ("product id", "line product id", "lineitem product id"),
    "sku": ("sku", "line sku", "lineitem sku"),
    "line_name": ("line name", "lineitem name", "product name"),
    "quantity": ("quantity", "line quantity", "lineitem quantity"),
    "unit_price": ("unit price", "line price", "lineitem price"),
}
_REQUIRED_ORDER = ("order_id", "email", "currency", "total")
_REQUIRED_LINE = ("line_name", "quantity", "unit_price")


def _fold(header: str) -> str:
    return " ".join(header.replace("_", " ").lower().split())


def _cell(row: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """(header, value) of the row's column giving field `name`, or None."""
    for header, value in row.items():
        if _fold(header) in ALIASES[name]:
            return header, value
    return None


def _value(row: Mapping[str, str], name: str) -> str:
    found = _cell(row, name)
    return found[1] if found else ""


def order_key(row: Mapping[str, str]) -> str:
    """The order a row is a line of."""
    return _value(row, "order_id")


@dataclass
class OrderRows:
    """One order read from its rows: the generic `order.placed` event's parts, the order's
    status, when it was placed, and problems by line number and column header."""

    customer: dict[str, str | None]
    order: dict[str, object]
    status: str
    placed_at: datetime | None
    problems: dict[int, dict[str, list[str]]]


def _moment(text: str) -> datetime:
    """A time as exports write it ("2026-11-02 10:15:00 +0100", ISO 8601); UTC when it has no offset."""
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z")):
        try:
            moment = parse(text)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    raise ValueError(text)


def read_order(rows: Sequence[tuple[int, Mapping[str, str]]]) -> OrderRows:
    """The order of a group of rows (see the module), with what is wrong in each line."""
    problems: dict[int, dict[str, list[str]]] = {}

    def problem(line: int, row: Mapping[str, str], name: str, message: str) -> None:
        found = _cell(row, name)
        header = found[0] if found else ALIASES[name][0]
        problems.setdefault(line, {}).setdefault(header, []).append(message)

    def first(name: str) -> str:
        return next((value for _, row in rows for value in [_value(row, name)] if value), "")

    first_line, first_row = rows[0]
    for name in _REQUIRED_ORDER:
        if not first(name):
            problem(first_line, first_row, name, "This order has no value here.")
    placed_at = None
    if first("placed_at"):
        try:
            placed_at = _moment(first("placed_at"))
        except ValueError:
            problem(first_line, first_row, "placed_at", "Not a valid date and time: write it as 2026-11-02 10:15:00 +0100.")
    full = first("full_name").split(" ", 1)
    customer = {"email": first("email") or None,
                "first_name": first("first_name") or (full[0] if len(full) == 2 else None),
                "last_name": first("last_name") or (full[-1] if full[-1] else None)}
    lines = []
    for line, row in rows:
        for name in _REQUIRED_LINE:
            if not _value(row, name):
                problem(line, row, name, "This line has no value here.")
        quantity, price = _value(row, "quantity"), _value(row, "unit_price")
        if quantity and not quantity.lstrip("+").isdigit():
            problem(line, row, "quantity", f"Not a whole number: {quantity!r}.")
        try:
            if price:
                Decimal(price)
        except InvalidOperation:
            problem(line, row, "unit_price", f"Not a number: {price!r}.")
        if line in problems:
            continue
        name = _value(row, "line_name")
        lines.append({"product_id": _value(row, "product_id") or _value(row, "sku") or name, "name": name,
                      "sku": _value(row, "sku") or None, "price": price, "quantity": int(quantity)})
    order = {"id": order_key(first_row).strip(), "email": customer["email"], "currency": first("currency").upper(),
             "total": first("total"), "lines": lines}
    return OrderRows(customer, order, _fold(first("status")), placed_at, problems)
