"""Exchange rates to the company currency, and the conversion every amount goes through."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Date, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import db
from core.records.errors import ValidationFailed

__all__ = ["ExchangeRate", "CURRENCY_CODE", "company_currency", "rate_to_company", "normalize_currency"]

_CODE = re.compile(r"^[A-Z]{3}$")


def company_currency(env: Any) -> str:
    """The currency totals, quotas and forecasts are expressed in (setting company_currency)."""
    return str(env.platform.settings["company_currency"]).upper()


#: What a currency field takes (before it is upper-cased): three letters.
CURRENCY_CODE = validate.Regexp(r"^[A-Za-z]{3}(?![\s\S])",
                                error="{input!r} is not a currency code: give three letters, such as EUR.")


def normalize_currency(value: str | None, field_name: str = "currency") -> str | None:
    """An ISO 4217 code in upper case, or ValidationFailed naming `field_name`."""
    if value is None:
        return None
    code = value.strip().upper()
    if not _CODE.match(code):
        raise ValidationFailed({field_name: [f"{value!r} is not a currency code: give three letters, such as EUR."]})
    return code


class ExchangeRate(Record):
    """How much one unit of a currency is worth in the company currency, from a date on."""

    __tablename__ = "exchange_rates"
    __label__ = "Exchange rate"
    __display_field__ = "title"
    __order__ = ["currency", "-valid_from"]
    __table_args__ = (UniqueConstraint("currency", "valid_from"),)

    currency: Mapped[str] = field(String(3), label="Currency", required=True, index=True, validate=[CURRENCY_CODE],
                                  help="ISO code of the foreign currency, such as EUR.")
    rate: Mapped[Decimal] = field(Numeric(18, 8), label="Rate", required=True,
                                  help="Value of one unit of this currency in the company currency (EUR -> USD: 1.10).")
    valid_from: Mapped[date] = field(Date, label="Valid from", required=True, index=True)

    @property
    def title(self) -> str:
        """"EUR 1.10 from 2026-01-01"."""
        return f"{self.currency} {self.rate} from {self.valid_from}"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Codes in upper case; a rate is positive; the company currency needs none."""
        self.currency = normalize_currency(self.currency)
        if self.currency == company_currency(env):
            raise ValidationFailed({"currency": [f"{self.currency} is the company currency: its rate is always 1."]})
        if self.rate is not None and self.rate <= 0:
            raise ValidationFailed({"rate": ["A rate is a positive number."]})


def rate_to_company(env: Any, currency: str, on: date) -> Decimal | None:
    """The rate of `currency` valid on `on` (the latest from that day or before), 1 for the
    company currency, None when no rate is stored."""
    if currency == company_currency(env):
        return Decimal(1)
    visible = env.sudo().records.select("exchange_rates", [["currency", "=", currency]])
    statement = visible.where(ExchangeRate.valid_from <= on).order_by(ExchangeRate.valid_from.desc()).limit(1)
    with db.session.no_autoflush:
        found = db.session.scalar(statement)
    if found is None:
        return None
    return Decimal(str(found.rate))
