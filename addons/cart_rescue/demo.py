"""Demo data: one shop with 40 products and its rescue journey (`rescue.demo`), and three
months of carts of the demo contacts (a few anonymous, a few still open): bought at once,
or abandoned and then recovered by one of the rescue's messages, lost, or still being
rescued; orders (a few refunded); all on the contacts' timelines. The contacts' lifetime
figures follow the orders (`applying.lifetime`)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.declarations import DataRecord, Ref
from core.platform import platform

from addons.cart_rescue.rescue.demo import CAMPAIGN, rescue_journey_records, step_for, step_xid

__all__ = ["demo_records", "CARTS", "PRODUCTS"]

PRODUCTS = 40
CARTS = 300
#: Of the carts abandoned, the share an order after a rescue message won back.
_RECOVERED = 0.2
_DEMO_ACCOUNTS = 60  # every demo account has a first contact (addons.contacts.demo)
_KINDS = ["Mug", "Teapot", "Vase", "Candle", "Cushion", "Throw", "Bowl", "Planter"]
_STYLES = ["Stoneware", "Linen", "Terracotta", "Oak", "Glazed"]
_SHOP = "cart_rescue.demo_shop"


def _products(rng: random.Random, currency: str) -> tuple[list[DataRecord], list[tuple[str, str, Decimal]]]:
    records, catalogue = [], []
    for number in range(1, PRODUCTS + 1):
        # 5 styles and 8 kinds, coprime: the 40 numbers give the 40 pairs once each.
        name = f"{_STYLES[number % len(_STYLES)]} {_KINDS[number % len(_KINDS)].lower()}"
        price = Decimal(rng.randrange(900, 12900)) / 100
        xid = f"cart_rescue.demo_product_{number}"
        records.append(DataRecord(xid, "products", {
            "shop_id": Ref(_SHOP), "external_id": f"P{1000 + number}", "name": name, "sku": f"MV-{number:03d}",
            "price": price, "currency": currency, "url": f"https://shop.example.com/products/p{1000 + number}",
        }))
        catalogue.append((xid, name, price))
    return records, catalogue


def _lines(rng: random.Random, catalogue: list[tuple[str, str, Decimal]], parent: str, parent_xid: str,
           resource: str) -> tuple[list[DataRecord], Decimal]:
    records, value = [], Decimal("0")
    for number, (product, name, price) in enumerate(rng.sample(catalogue, rng.randint(1, 4)), start=1):
        quantity = rng.randint(1, 3)
        value += price * quantity
        records.append(DataRecord(f"{parent_xid}_line_{number}", resource, {
            parent: Ref(parent_xid), "product_id": Ref(product), "name": name, "quantity": quantity,
            "unit_price": price, "total": price * quantity,
        }))
    return records, value


def _logged(key: str, contact: str, subject: str, resource: str, record: str, at: datetime) -> DataRecord:
    return DataRecord(f"cart_rescue.demo_touch_{key}", "interactions", at=at, values={
        "channel": "web", "direction": "inbound", "subject": subject, "occurred_at": at, "contact_id": Ref(contact),
        "related_model": resource, "related_id": Ref(record)})


def _fate(rng: random.Random, anonymous: bool, at: datetime, now: datetime) -> tuple[str, datetime | None]:
    """What became of a cart last active at `at`: its status, and for an abandoned one
    when it was found abandoned (an hour later)."""
    if anonymous:
        return ("checkout" if rng.random() < 0.5 else "open"), None
    roll = rng.random()
    if roll < 0.04:
        return "emptied", None
    if roll < 0.40:
        return "ordered", None
    abandoned = at + timedelta(hours=1)
    if abandoned > now:
        return "open", None
    return ("lost" if abandoned < now - timedelta(days=7) else "abandoned"), abandoned


def _recovery(rng: random.Random, abandoned: datetime, now: datetime) -> tuple[datetime, int] | None:
    """When an order recovered the abandoned cart, and the rescue step it followed; None
    when none did (yet)."""
    if rng.random() >= _RECOVERED:
        return None
    hours = rng.choice((rng.uniform(0.5, 20), rng.uniform(0.5, 20), rng.uniform(23.5, 70), rng.uniform(23.5, 70),
                        rng.uniform(71.5, 160)))
    placed = abandoned + timedelta(hours=hours)
    return (placed, step_for(hours)) if placed <= now else None


def _order(number: int, contact: str, cart: str, lines: list[DataRecord], value: Decimal, currency: str,
           placed: datetime, refunded: Decimal, rescue_step: int | None) -> list[DataRecord]:
    """The order of the cart with its lines and touches."""
    order = f"cart_rescue.demo_order_{number}"
    order_status = "placed" if not refunded else "refunded" if refunded == value else "partially_refunded"
    rescue = {"rescue_step_id": Ref(step_xid(rescue_step)), "rescue_campaign_id": Ref(CAMPAIGN)} \
        if rescue_step is not None else {}
    records = [DataRecord(order, "orders", at=placed, values={
        "shop_id": Ref(_SHOP), "external_id": f"O{50000 + number}", "contact_id": Ref(contact), "cart_id": Ref(cart),
        "currency": currency, "total": value, "refunded": refunded, "status": order_status, "placed_at": placed,
        **rescue}),
        *[DataRecord(line.xid.replace(cart, order), "order_lines", at=placed, values={
            **{key: given for key, given in line.values.items() if key != "cart_id"}, "order_id": Ref(order)})
          for line in lines],
        _logged(f"order_{number}", contact, f"Order O{50000 + number} placed: {value:.2f} {currency}", "orders",
                order, placed)]
    if refunded:
        records.append(_logged(f"refund_{number}", contact,
                               f"Order O{50000 + number} refunded: {refunded:.2f} {currency}", "orders", order,
                               placed))
    return records


def _cart(rng: random.Random, number: int, catalogue: list[tuple[str, str, Decimal]], currency: str,
          now: datetime) -> list[DataRecord]:
    """A cart, its lines, its order when bought (sometimes refunded), and their touches."""
    recent = rng.random() < 0.03
    at = now - (timedelta(minutes=rng.randint(5, 50)) if recent else
                timedelta(days=rng.randint(0, 89), minutes=rng.randint(0, 1439)))
    xid = f"cart_rescue.demo_cart_{number}"
    anonymous = number % 8 == 0
    contact = None if anonymous else f"contacts.demo_contact_{rng.randint(1, _DEMO_ACCOUNTS)}_1"
    status, abandoned = _fate(rng, anonymous, at, now)
    recovered = _recovery(rng, abandoned, now) if abandoned is not None else None
    if recovered is not None:
        status = "recovered"
    lines, value = _lines(rng, catalogue, "cart_id", xid, "cart_lines")
    records: list[Any] = [DataRecord(xid, "carts", at=at, values={
        "shop_id": Ref(_SHOP), "external_id": f"C{20000 + number}", "contact_id": Ref(contact) if contact else None,
        "currency": currency, "value": value if status != "emptied" else Decimal("0"), "status": status,
        "checkout_url": f"https://shop.example.com/checkout/C{20000 + number}", "last_activity_at": at,
        "customer_ref": None if anonymous else f"U{number}", "abandoned_at": abandoned,
        "recovered_at": recovered[0] if recovered else None,
    }), *(lines if status != "emptied" else [])]
    if contact:
        records.append(_logged(f"cart_{number}", contact, f"Cart: {value:.2f} {currency}", "carts", xid, at))
        if abandoned is not None:
            records.append(_logged(f"abandoned_{number}", contact, f"Cart abandoned: {value:.2f} {currency}",
                                   "carts", xid, abandoned))
    if contact and (status == "ordered" or recovered is not None):
        placed = recovered[0] if recovered else min(at + timedelta(minutes=rng.randint(5, 600)), now)
        refunded = value if rng.random() < 0.06 else (value / 2).quantize(Decimal("0.01")) if rng.random() < 0.08 \
            else Decimal("0")
        records += _order(number, contact, xid, lines, value, currency, placed, refunded,
                          recovered[1] if recovered else None)
    return records


def demo_records(seed: int) -> list[DataRecord]:
    """The shop (in the company currency, whose orders the lifetime figures add up), its
    products, and CARTS carts over the past 90 days, the same for the same seed and day."""
    rng = random.Random(seed)
    currency = str(platform().settings["company_currency"]).upper()
    now = platform().clock.now().replace(second=0, microsecond=0)
    products, catalogue = _products(rng, currency)
    records = [DataRecord(_SHOP, "shops", {
        "name": "Maison Verde", "platform": "generic", "currency": currency, "abandonment_delay_minutes": 60,
        "url": "https://shop.example.com", "high_value_threshold": Decimal("400")}), *products,
        *rescue_journey_records(_SHOP)]
    for number in range(1, CARTS + 1):
        records += _cart(rng, number, catalogue, currency, now)
    return records
