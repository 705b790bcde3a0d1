"""The abandonment sweep: a cart idle for its shop's delay, with an email and lines, is
abandoned once (the sweep run twice, or by two workers at once), told on the timeline and
announced; new activity reopens it; past the attribution window it is lost; a high-value
cart becomes a call to make for the shop's owner."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute
from core.jobs.worker import Worker
from core.notifications.models import Notification

from addons.cart_rescue.detection.sweep import DETECT_JOB
from addons.cart_rescue.models import Cart
from addons.cart_rescue.signals import carts_abandoned
from addons.cart_rescue.tests.conftest import SECRET, run_queued_jobs
from addons.cart_rescue.tests.payloads import cart_event, line
from addons.contacts.models import Interaction

pytestmark = pytest.mark.spectrum_addons("cart_rescue")

UTC = timezone.utc
#: The generic payloads' occurred_at: the carts' last activity.
T0 = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


@pytest.fixture
def heard() -> Any:
    """The carts `carts_abandoned` announced, in order."""
    heard_ids: list[int] = []

    def hear(_shop: Any, carts: list[Any], **_: Any) -> None:
        heard_ids.extend(cart.id for cart in carts)

    carts_abandoned.connect(hear)
    yield heard_ids
    carts_abandoned.disconnect(hear)


def _post(post_event: Any, shop_id: int, clock: Any, event_id: str, cart_id: str, at: datetime,
          email: str | None = "mia.sweep@example.com", **cart: Any) -> None:
    clock.set(at)
    document = cart_event(event_id, cart_id, customer={"id": f"c-{cart_id}", "email": email} if email else None,
                          **cart)
    document["occurred_at"] = at.isoformat()
    assert post_event(shop_id, "generic", document).status_code == 202
    run_queued_jobs()


def _sweep(clock: Any, at: datetime) -> dict[str, Any]:
    clock.set(at)
    run = execute(enqueue(DETECT_JOB).id)
    assert run.status == "succeeded", run.error
    return run.result


def _status(external_id: str) -> str:
    db.session.rollback()
    return db.session.scalar(select(Cart.status).where(Cart.external_id == external_id))


def test_a_cart_is_abandoned_once_its_delay_has_passed_and_once_only(shops, post_event, clock, heard):
    _post(post_event, shops.generic, clock, "e1", "cart-a", T0)
    assert _sweep(clock, T0 + timedelta(minutes=59)) == {"abandoned": 0, "lost": 0}
    assert _status("cart-a") == "open"
    assert _sweep(clock, T0 + timedelta(minutes=61)) == {"abandoned": 1, "lost": 0}
    assert _sweep(clock, T0 + timedelta(minutes=62)) == {"abandoned": 0, "lost": 0}
    cart = db.session.scalar(select(Cart).where(Cart.external_id == "cart-a"))
    assert (cart.status, cart.abandoned_at) == ("abandoned", T0 + timedelta(minutes=61))
    assert heard == [cart.id]
    told = db.session.scalars(select(Interaction.subject).where(Interaction.related_model == "carts",
                                                                Interaction.related_id == cart.id))
    assert "Cart abandoned: 10.00 EUR" in list(told)


def test_no_email_no_lines_or_an_order_is_never_abandoned_and_the_delay_is_the_shops(
        shops, post_event, clock, heard):
    quick_shop = Env.system().records.create("shops", {"name": "Quick shop", "currency": "EUR",
                                                       "shared_secret": SECRET, "abandonment_delay_minutes": 15})
    db.session.commit()
    _post(post_event, shops.generic, clock, "e1", "anonymous", T0, email=None)
    _post(post_event, shops.generic, clock, "e2", "empty", T0, lines=[])
    _post(post_event, quick_shop.id, clock, "e3", "quick", T0)
    assert _sweep(clock, T0 + timedelta(minutes=16)) == {"abandoned": 1, "lost": 0}
    assert (_status("anonymous"), _status("empty"), _status("quick")) == ("open", "emptied", "abandoned")


def test_new_activity_reopens_an_abandoned_cart_which_is_abandoned_again_later(shops, post_event, clock, heard):
    _post(post_event, shops.generic, clock, "e1", "cart-b", T0)
    _sweep(clock, T0 + timedelta(minutes=61))
    _post(post_event, shops.generic, clock, "e2", "cart-b", T0 + timedelta(minutes=90),
          lines=[line("p-1", "10.00", 3)])
    assert _status("cart-b") == "open"
    _sweep(clock, T0 + timedelta(minutes=120))
    assert _status("cart-b") == "open"
    _sweep(clock, T0 + timedelta(minutes=151))
    assert _status("cart-b") == "abandoned" and len(heard) == 2


def test_a_cart_no_order_won_back_within_the_window_is_lost(shops, post_event, clock):
    _post(post_event, shops.generic, clock, "e1", "cart-c", T0)
    _sweep(clock, T0 + timedelta(minutes=61))
    assert _sweep(clock, T0 + timedelta(days=7, minutes=60)) == {"abandoned": 0, "lost": 0}
    assert _sweep(clock, T0 + timedelta(days=7, minutes=62)) == {"abandoned": 0, "lost": 1}
    assert _status("cart-c") == "lost"


@pytest.mark.postgres_only
def test_two_workers_sweeping_at_once_abandon_each_cart_once(app, shops, post_event, clock, heard):
    for number in range(40):
        _post(post_event, shops.generic, clock, f"e{number}", f"many-{number}", T0,
              email=f"many{number}@example.com")
    clock.set(T0 + timedelta(minutes=61))
    enqueue(DETECT_JOB)
    enqueue(DETECT_JOB)
    db.session.commit()
    start = threading.Barrier(2)

    def work(name: str) -> None:
        start.wait()
        Worker(app, name=name).run_once(schedule=False)

    threads = [threading.Thread(target=work, args=(f"w{number}",)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    db.session.rollback()
    assert db.session.scalar(select(Cart.status).where(Cart.external_id == "many-0")) == "abandoned"
    assert sorted(heard) == sorted(set(heard)) and len(heard) == 40


def test_a_high_value_cart_tells_the_shops_owner(app, shops, post_event, clock, make_user):
    owner = make_user("shopkeeper", roles=["campaigns.manager"])
    Env.system().records.update("shops", shops.generic, {"high_value_threshold": "100.00", "owner_id": owner.id})
    db.session.commit()
    _post(post_event, shops.generic, clock, "e1", "small", T0, email="small@example.com")
    _post(post_event, shops.generic, clock, "e2", "big", T0, email="big@example.com",
          lines=[line("p-9", "150.00", 1)])
    _sweep(clock, T0 + timedelta(minutes=61))
    texts = list(db.session.scalars(select(Notification.title).where(Notification.user_id == owner.id)))
    assert texts == ["Call about an abandoned cart of 150.00 EUR (generic shop)"]


@pytest.mark.spectrum_addons("cart_rescue", "sales")
def test_with_sales_a_high_value_cart_is_an_activity_of_the_shops_owner(app, shops, post_event, clock, make_user):
    owner = make_user("seller", roles=["sales.salesperson", "campaigns.manager"])
    Env.system().records.update("shops", shops.generic, {"high_value_threshold": "100.00", "owner_id": owner.id})
    db.session.commit()
    _post(post_event, shops.generic, clock, "e1", "big", T0, email="big@example.com",
          lines=[line("p-9", "150.00", 1)])
    _sweep(clock, T0 + timedelta(minutes=61))
    [activity] = Env.system().records.search("activities", [["user_id", "=", owner.id]]).records
    assert activity.summary == "Call about an abandoned cart of 150.00 EUR (generic shop)"
    assert activity.contact_id == db.session.scalar(select(Cart.contact_id).where(Cart.external_id == "big"))
