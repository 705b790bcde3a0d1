"""Money as every answer gives it: with the decimals of its currency (2 for USD, 0 for JPY,
3 for BHD), rounded half up, the same in reads, writes, actions and exports.

A money field says where its currency is: `currency_field` (a field of the same record,
as an opportunity's `currency`) or `currency_setting` (a platform setting, as the company
currency totals are kept in). A money field that says neither is given with the decimals
of its column, or 2.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Callable

from babel.numbers import get_currency_precision

__all__ = ["currency_places", "money_text", "quantum", "rate_to_company", "rates_to_company"]

DEFAULT_PLACES = 2


@lru_cache(maxsize=512)
def currency_places(code: str | None) -> int:
    """The decimals of ISO 4217 currency `code` (CLDR's data); 2 for none or an unknown code."""
    if not code:
        return DEFAULT_PLACES
    return int(get_currency_precision(str(code).upper()))


@lru_cache(maxsize=16)
def quantum(places: int) -> Decimal:
    """The smallest step of an amount with `places` decimals (Decimal("0.01") for 2)."""
    return Decimal(1).scaleb(-places)


def money_text(value: Any, places: int) -> str:
    """`value` as a string of digits with exactly `places` decimals, rounded half up."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(amount.quantize(quantum(places), ROUND_HALF_UP), "f")


def rate_to_company(env: Any, currency: str, on: date) -> Decimal | None:
    """The value of one unit of `currency` in the company currency on `on`: 1 for the
    company currency itself, else the rate an installed addon keeps (the hook
    `exchange_rate`: sales keeps rates), None when none does."""
    code = currency.upper()
    if code == str(env.platform.settings["company_currency"]).upper():
        return Decimal(1)
    found = env.platform.plugins.hook.exchange_rate(env=env, currency=code, on=on)
    return None if found is None else Decimal(str(found))


def rates_to_company(env: Any) -> Callable[[str, date], Decimal | None]:
    """`rate_to_company` for one batch of conversions: each (currency, day) asked once."""
    known: dict[tuple[str, date], Decimal | None] = {}

    def rate(currency: str, on: date) -> Decimal | None:
        if (currency, on) not in known:
            known[(currency, on)] = rate_to_company(env, currency, on)
        return known[(currency, on)]

    return rate
