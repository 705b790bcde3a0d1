"""A shop's orders re-synced from its CSV export through the kernel's grouped import: the
command line and the import page write orders, lines, products, contacts, timelines and
lifetime figures; the same file twice changes nothing; a bad row rejects its order alone,
named by line."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.cli.data import import_command
from core.db import db
from core.env import Env
from core.records.audit import AuditEntry
from core.testing.web import sign_in

from addons.cart_rescue.models import Order, OrderLine, Product
from addons.contacts.models import Contact, Interaction

pytestmark = pytest.mark.spectrum_addons("cart_rescue")

SHOPIFY_HEADER = ("Name,Email,Financial Status,Created at,Currency,Total,Lineitem quantity,Lineitem name,"
                  "Lineitem price,Lineitem sku,Billing Name\n")
# Three orders, five lines; Shopify fills an order's columns on its first row only.
SHOPIFY_EXPORT = SHOPIFY_HEADER + (
    "#1001,ann@example.com,paid,2026-11-02 10:15:00 +0100,EUR,74.00,2,Stoneware mug,12.50,MUG-1,Ann Lee\n"
    "#1001,,,,,,1,Linen throw,49.00,THROW-1,\n"
    "#1002,Bob@Example.com,paid,2026-11-03 09:00:00 +0100,EUR,12.50,1,Stoneware mug,12.50,MUG-1,Bob Berg\n"
    "#1003,ann@example.com,refunded,2026-11-04 18:30:00 +0100,EUR,73.00,3,Beeswax candle,8.00,CANDLE-1,Ann Lee\n"
    "#1003,,,,,,1,Linen throw,49.00,THROW-1,\n"
)


def _import(app: Any, tmp_path: Path, text: str, shop_id: int, *extra: str) -> Any:
    path = tmp_path / "orders_export.csv"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(import_command, ["cart_rescue.orders", str(path), "--option",
                                                         f"shop={shop_id}", *extra])


def _state() -> dict[str, Any]:
    """Everything an import writes, as comparable values."""
    return {
        "orders": db.session.execute(select(Order.external_id, Order.email, Order.total, Order.refunded, Order.status,
                                            Order.contact_id, Order.placed_at).order_by(Order.id)).all(),
        "lines": db.session.execute(select(OrderLine.order_id, OrderLine.name, OrderLine.quantity,
                                           OrderLine.unit_price, OrderLine.total).order_by(OrderLine.id)).all(),
        "products": db.session.execute(select(Product.external_id, Product.name).order_by(Product.id)).all(),
        "contacts": db.session.execute(select(Contact.email, Contact.first_name, Contact.last_name, Contact.source,
                                              Contact.lifetime_order_value, Contact.order_count)
                                       .order_by(Contact.id)).all(),
        "timeline": db.session.execute(select(Interaction.contact_id, Interaction.subject)
                                       .order_by(Interaction.id)).all(),
    }


def test_a_shopify_export_makes_orders_lines_contacts_timelines_and_lifetime_values(app: Any, shops: Any,
                                                                                     tmp_path: Path) -> None:
    bob = Env.system().records.create("contacts", {"last_name": "Berg", "email": "bob@example.com"}).id
    db.session.commit()

    result = _import(app, tmp_path, SHOPIFY_EXPORT, shops.shopify)

    assert result.exit_code == 0, result.output
    assert "... 5 rows, 3 groups (0 rejected)" in result.output  # progress
    assert "summary: 5 rows, 3 groups: 3 created, 0 updated, 0 unchanged, 0 rejected; committed" in result.output
    state = _state()
    assert [row[:5] for row in state["orders"]] == [
        ("#1001", "ann@example.com", Decimal("74.00"), Decimal("0.00"), "placed"),
        ("#1002", "bob@example.com", Decimal("12.50"), Decimal("0.00"), "placed"),
        ("#1003", "ann@example.com", Decimal("73.00"), Decimal("73.00"), "refunded"),
    ]
    assert state["orders"][0][6].isoformat() == "2026-11-02T09:15:00+00:00"
    assert [(name, quantity, total) for _, name, quantity, _, total in state["lines"]] == [
        ("Stoneware mug", 2, Decimal("25.00")), ("Linen throw", 1, Decimal("49.00")),
        ("Stoneware mug", 1, Decimal("12.50")),
        ("Beeswax candle", 3, Decimal("24.00")), ("Linen throw", 1, Decimal("49.00"))]
    assert state["products"] == [("MUG-1", "Stoneware mug"), ("THROW-1", "Linen throw"),
                                 ("CANDLE-1", "Beeswax candle")]
    ann = db.session.scalar(select(Contact).where(Contact.email == "ann@example.com"))
    assert (ann.first_name, ann.last_name, ann.source) == ("Ann", "Lee", "shop")
    # 74.00 + (73.00 - 73.00 refunded); the refunded order is not counted.
    assert (ann.lifetime_order_value, ann.order_count) == (Decimal("74.00"), 1)
    assert state["orders"][1][5] == bob  # matched by email, in any case
    assert (db.session.get(Contact, bob).lifetime_order_value, db.session.get(Contact, bob).order_count) == (
        Decimal("12.50"), 1)
    assert [subject for contact_id, subject in state["timeline"] if contact_id == ann.id] == [
        "Order #1001 placed: 74.00 EUR", "Order #1003 placed: 73.00 EUR", "Order #1003 refunded: 73.00 EUR"]


def test_the_same_file_twice_changes_nothing(app: Any, shops: Any, tmp_path: Path) -> None:
    assert _import(app, tmp_path, SHOPIFY_EXPORT, shops.shopify).exit_code == 0
    before = _state()
    audit = db.session.scalar(select(func.count()).select_from(AuditEntry))

    again = _import(app, tmp_path, SHOPIFY_EXPORT, shops.shopify)

    assert again.exit_code == 0, again.output
    assert "3 groups: 0 created, 0 updated, 3 unchanged, 0 rejected; committed" in again.output
    assert _state() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit  # not even a rewrite


def test_a_bad_row_is_named_by_line_and_its_order_alone_is_not_written(app: Any, shops: Any, tmp_path: Path) -> None:
    bad = SHOPIFY_EXPORT.replace("#1001,,,,,,1,Linen throw", "#1001,,,,,,two,Linen throw")

    result = _import(app, tmp_path, bad, shops.shopify)

    assert result.exit_code == 1
    assert "line 3: Lineitem quantity: Not a whole number: 'two'." in result.output
    assert "3 groups: 2 created, 0 updated, 0 unchanged, 1 rejected; committed" in result.output
    assert db.session.scalars(select(Order.external_id).order_by(Order.id)).all() == ["#1002", "#1003"]
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 3  # none of #1001's
    ann = db.session.scalar(select(Contact).where(Contact.email == "ann@example.com"))
    assert ann.lifetime_order_value == Decimal("0.00")  # #1003 only, refunded in full


def test_a_generic_export_and_the_dry_run(app: Any, shops: Any, tmp_path: Path) -> None:
    generic = ("order_id,placed_at,email,first_name,last_name,currency,order_total,status,product_id,sku,line_name,"
               "quantity,unit_price\n"
               "A-1,2026-11-02T10:00:00Z,cy@example.com,Cy,Dunn,EUR,30.00,paid,p-9,TEA,Green tea,3,10.00\n")

    dry = _import(app, tmp_path, generic, shops.generic, "--dry-run")
    assert "1 created, 0 updated, 0 unchanged, 0 rejected; dry run, nothing written" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0

    done = _import(app, tmp_path, generic, shops.generic)
    assert done.exit_code == 0, done.output
    order = db.session.scalar(select(Order))
    assert (order.external_id, order.total, order.email) == ("A-1", Decimal("30.00"), "cy@example.com")
    assert db.session.scalar(select(Product.external_id)) == "p-9"


def test_the_import_page_of_the_orders(app: Any, shops: Any, client: Any, make_user: Any) -> None:
    make_user("mona", roles=["campaigns.manager"])
    token = sign_in(client, "mona")

    listing = client.get("/m/orders").get_data(as_text=True)
    assert 'href="/import/cart_rescue.orders"' in listing
    form = client.get(f"/import/cart_rescue.orders?shop={shops.shopify}").get_data(as_text=True)
    assert f'value="{shops.shopify}"' in form

    bad = SHOPIFY_EXPORT.replace("#1002,Bob@Example.com,paid,2026-11-03 09:00:00 +0100,EUR,12.50,1,",
                                 "#1002,Bob@Example.com,paid,2026-11-03 09:00:00 +0100,EUR,12.50,two,")
    answer = client.post("/import/cart_rescue.orders", data={
        "csrf_token": token, "shop": str(shops.shopify), "file": (io.BytesIO(bad.encode()), "orders.csv")},
        content_type="multipart/form-data")

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "2 created, 0 updated, 0 unchanged, 1 rejected" in page
    assert "Line 4" in page and "Not a whole number: &#39;two&#39;." in page
    assert db.session.scalars(select(Order.external_id).order_by(Order.id)).all() == ["#1001", "#1003"]
