"""The generic event format every shop's deliveries are read into.

One JSON object per event::

    {"id": "evt-42", "type": "cart.updated", "occurred_at": "2026-12-04T10:00:00Z",
     "customer": {"id": "c-7", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
     "cart": {"id": "cart-9", "currency": "EUR", "checkout_url": "https://…",
              "lines": [{"product_id": "p-1", "name": "Mug", "sku": "MUG", "price": "12.50",
                         "quantity": 2, "url": "https://…", "image_url": "https://…"}]}}

`type` is one of TYPES. `customer` (its `email` required) is the whole of the
`customer.*` events and optional elsewhere; the cart events carry `cart`,
`order.placed` carries `order` ({"id", "cart_id", "currency", "total", "lines", and the
`discount_codes` the customer used}),
`order.refunded` carries `refund` ({"order_id", "amount"}, and `"cumulative": true` when
the amount is every refund of the order so far rather than this one's). Unknown keys are
ignored.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from core.records.errors import ValidationFailed

__all__ = ["TYPES", "CART_TYPES", "EventSchema", "read_event"]

CART_TYPES = ("cart.created", "cart.updated", "checkout.started")
TYPES = ("customer.created", "customer.updated", *CART_TYPES, "order.placed", "order.refunded")

_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="Give three capital letters, such as EUR.")


class _Money(fields.Decimal):
    """An amount, checked as a decimal and read as its string with two decimals ("12.50"):
    a loaded event is JSON-ready as it is, with no dump to run after the load."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=2, allow_nan=False, as_string=True, **kwargs)

    def deserialize(self, *args: Any, **kwargs: Any) -> Any:
        amount = super().deserialize(*args, **kwargs)
        return str(amount) if isinstance(amount, Decimal) else amount  # else None, or missing


class _Moment(fields.AwareDateTime):
    """A moment with its time zone, checked and read as its ISO 8601 string."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def deserialize(self, *args: Any, **kwargs: Any) -> Any:
        moment = super().deserialize(*args, **kwargs)
        return moment.isoformat() if isinstance(moment, datetime) else moment  # else None, or missing


class _Part(Schema):
    class Meta:
        unknown = EXCLUDE


class _Customer(_Part):
    id = fields.String(validate=validate.Length(max=120), allow_none=True)
    email = fields.Email(allow_none=True)
    first_name = fields.String(validate=validate.Length(max=100), allow_none=True)
    last_name = fields.String(validate=validate.Length(max=100), allow_none=True)


class _Line(_Part):
    product_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    sku = fields.String(validate=validate.Length(max=120), allow_none=True)
    price = _Money(required=True, validate=validate.Range(min=0))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    url = fields.Url(allow_none=True)
    image_url = fields.Url(allow_none=True)


class _Cart(_Part):
    id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    currency = fields.String(required=True, validate=_CURRENCY)
    email = fields.Email(allow_none=True)
    checkout_url = fields.Url(allow_none=True)
    lines = fields.List(fields.Nested(_Line), required=True)


class _Order(_Part):
    id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    cart_id = fields.String(validate=validate.Length(max=120), allow_none=True)
    email = fields.Email(allow_none=True)
    currency = fields.String(required=True, validate=_CURRENCY)
    total = _Money(required=True, validate=validate.Range(min=0))
    lines = fields.List(fields.Nested(_Line), load_default=list)
    discount_codes = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list,
                                 validate=validate.Length(max=20))


class _Refund(_Part):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    amount = _Money(required=True, validate=validate.Range(min=0))
    cumulative = fields.Boolean(load_default=False)


#: The section each type needs.
_SECTION = {"customer.created": "customer", "customer.updated": "customer", "cart.created": "cart",
            "cart.updated": "cart", "checkout.started": "cart", "order.placed": "order", "order.refunded": "refund"}


class EventSchema(_Part):
    """A generic event (see the module): what `read_event` checks."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    occurred_at = _Moment(allow_none=True)
    customer = fields.Nested(_Customer, allow_none=True)
    cart = fields.Nested(_Cart)
    order = fields.Nested(_Order)
    refund = fields.Nested(_Refund)

    @validates_schema
    def _has_its_section(self, data: Mapping[str, Any], **_kw: Any) -> None:
        section = _SECTION.get(data.get("type", ""))
        if section and not data.get(section):
            raise ValidationError(f"This {data['type']} event needs its {section!r} object.", section)
        if section == "customer" and not data["customer"].get("email"):
            raise ValidationError("A customer event needs the customer's email.", "customer.email")


#: One instance for every delivery (a schema keeps no state between loads; building one
#: and its nested schemas cost more than reading an event).
_SCHEMA = EventSchema()


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors as {"cart.lines.0.price": [...]}."""
    if isinstance(errors, list):
        return {prefix or "_body": [str(message) for message in errors]}
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = "_body" if key == "_schema" else str(key)
        flat.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    return flat


def read_event(document: Any) -> dict[str, Any]:
    """`document` checked against the generic format and returned JSON-ready (amounts as
    strings with two decimals); ValidationFailed naming each wrong field otherwise."""
    if not isinstance(document, dict):
        raise ValidationFailed({"_body": ["An event is a JSON object."]})
    try:
        return _SCHEMA.load(document)
    except ValidationError as error:
        raise ValidationFailed(_flatten(error.messages)) from None
