"""An order is a conversion for the campaigns that touched its buyer (their ROI)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["order_conversion"]


def _contact(_sender: Any, record: Any = None, **_: Any) -> int | None:
    return getattr(record, "contact_id", None)


def _amount(_sender: Any, record: Any = None, **_: Any) -> Decimal | None:
    return Decimal(record.total) if record is not None else None


def _moment(_sender: Any, record: Any = None, **_: Any) -> Any:
    return getattr(record, "placed_at", None)


def _reference(_sender: Any, record: Any = None, **_: Any) -> str | None:
    return f"orders:{record.id}" if record is not None else None


def order_conversion() -> Any:
    """`orders.created`: an "order" conversion of the buyer, worth the order's total."""
    from addons.campaigns.conversions import ConversionEvent

    return ConversionEvent("orders.created", "order", _contact, _amount, _moment, _reference)
