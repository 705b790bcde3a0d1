"""Paying and renewing online: a renewal from the portal opens a checkout, and only its
settlement records the membership's payment: by an officer when a bank transfer arrives,
or by a payment processor's signed notification, once. A member never pays themselves."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from flask import Request
from sqlalchemy import func, select

from core import hookimpl
from core.db import db
from core.env import Env
from core.jobs import enqueue, execute
from core.platform import platform
from core.testing.web import sign_in

from addons.membership.checkout import EXPIRE_JOB, NotProven, PaymentProcessor, Settlement
from addons.membership.models import MembershipCheckout, MembershipPayment
from addons.membership.tests.conftest import at

pytestmark = pytest.mark.spectrum_addons("membership")

SECRET = b"the processor's signing secret"


def _begin(_env: Env, checkout: MembershipCheckout, return_url: str) -> str:
    return f"https://pay.example.test/checkout/{checkout.reference}?back={quote(return_url, safe='')}"


def _verify(request: Request) -> Settlement | None:
    body = request.get_data()
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Test-Signature", "")):
        raise NotProven("the signature does not prove this notification")
    event = json.loads(body)
    if event["type"] != "payment.succeeded":
        return None
    return Settlement(event["reference"], Decimal(event["amount"]), event["currency"], event["id"])


class CardProcessor:
    """A hosted card payment page that notifies the CRM with an HMAC-signed body."""

    @hookimpl(optionalhook=True)
    def membership_payment_processors(self) -> list[PaymentProcessor]:
        return [PaymentProcessor("card", "Pay by card", _begin, _verify)]


@pytest.fixture
def card(app: Any) -> Any:
    plugins = platform(app).plugins
    plugins.register(CardProcessor(), name="test_card_processor")
    yield
    plugins.unregister(name="test_card_processor")


def _notify(client: Any, event: dict[str, Any], secret: bytes = SECRET) -> Any:
    body = json.dumps(event).encode()
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return client.post("/api/v1/_membership/processors/card/notify", data=body,
                       headers={"Content-Type": "application/json", "X-Test-Signature": signature})


def _payments(membership_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(MembershipPayment)
                             .where(MembershipPayment.membership_id == membership_id))


def _checkout(reference: str) -> MembershipCheckout:
    db.session.rollback()
    return db.session.scalars(select(MembershipCheckout).where(MembershipCheckout.reference == reference)).one()


def _renew(client: Any, token: str, membership_id: int, processor: str) -> Any:
    return client.post(f"/members/memberships/{membership_id}/renew",
                       data={"csrf_token": token, "processor": processor})


def _reference(answer: Any) -> str:
    assert answer.status_code == 303, answer.get_data(as_text=True)
    found = re.search(r"/checkouts?/(M-[A-Z2-9]{8})", answer.headers["Location"])
    assert found, answer.headers["Location"]
    return found.group(1)


def test_a_transfer_renews_the_membership_when_an_officer_records_the_money(
        app: Any, client: Any, members: dict[str, Any], make_user: Any, api_as: Any) -> None:
    app.extensions["spectrum"].settings["membership_transfer_instructions"] = "IBAN FR76 3000 6000 0112 3456 7890 189"
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    home = client.get("/members/").get_data(as_text=True)
    assert "In grace" in home and "Renew online" in home and "Pay by bank transfer" in home
    assert f"membership-{members['tom']['membership']}" not in home
    opened = _renew(client, token, mia, "transfer")
    reference = _reference(opened)
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert reference in page and "60.00 EUR" in page and "IBAN FR76 3000" in page
    assert _payments(mia) == 1, "nothing is paid before the money arrives"
    assert Env.system().records.get("memberships", mia).end_date == date(2025, 12, 31)
    assert _reference(_renew(client, token, mia, "transfer")) == reference, "the open payment is taken up again"
    assert f"reference {reference}" in client.get("/members/").get_data(as_text=True)
    assert _renew(client, token, members["tom"]["membership"], "transfer").status_code == 404

    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "tom")
    assert client.get(f"/members/checkouts/{reference}").status_code == 404

    officer = api_as(make_user("olga", roles=["membership.officer"]))
    checkout_id = _checkout(reference).id
    settled = officer.post(f"/api/v1/membership_checkouts/{checkout_id}/settle", json={"bank_reference": "BANK-77"})
    assert settled.status_code == 200, settled.get_json()
    assert settled.get_json()["period_end"] == "2026-12-31"
    membership = Env.system().records.get("memberships", mia)
    assert (membership.end_date, membership.status) == (date(2026, 12, 31), "current")
    payment = _checkout(reference).payment
    assert (payment.reference, payment.method, payment.amount) == (reference, "transfer", Decimal("60.00"))
    again = officer.post(f"/api/v1/membership_checkouts/{checkout_id}/settle", json={"bank_reference": "BANK-77"})
    assert again.get_json()["payment_id"] == payment.id and _payments(mia) == 2
    other = officer.post(f"/api/v1/membership_checkouts/{checkout_id}/settle", json={"bank_reference": "BANK-78"})
    assert other.status_code == 409 and _payments(mia) == 2


def test_a_card_payment_is_settled_by_the_processors_signed_notification_once(
        client: Any, members: dict[str, Any], card: Any) -> None:
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    assert "Pay by card" in client.get("/members/").get_data(as_text=True)
    opened = _renew(client, token, mia, "card")
    assert opened.headers["Location"].startswith("https://pay.example.test/checkout/M-")
    assert quote("/members/checkouts/", safe="") in opened.headers["Location"], "the member comes back to the portal"
    reference = _reference(opened)
    event = {"id": "pay_1", "type": "payment.succeeded", "reference": reference, "amount": "60.00", "currency": "EUR"}

    forged = _notify(client, event, secret=b"a guess")
    assert forged.status_code == 401 and _payments(mia) == 1 and _checkout(reference).status == "open"
    short = _notify(client, {**event, "amount": "6.00"})
    assert short.status_code == 422 and "amount" in short.get_json()["errors"] and _payments(mia) == 1
    assert _notify(client, {**event, "type": "payment.failed"}).get_json() == {"status": "ignored"}

    paid = _notify(client, event)
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    replayed = _notify(client, event)
    assert replayed.status_code == 200 and replayed.get_json()["payment_id"] == paid.get_json()["payment_id"]
    assert _payments(mia) == 2
    checkout = _checkout(reference)
    assert (checkout.status, checkout.processor_reference, checkout.payment.method) == ("paid", "pay_1", "online")
    assert Env.system().records.get("memberships", mia).end_date == date(2026, 12, 31)
    assert "Paid" in client.get(f"/members/checkouts/{reference}").get_data(as_text=True)


def test_after_expiry_the_new_period_starts_on_the_day_the_money_arrived(
        client: Any, members: dict[str, Any], sweep: Any, make_user: Any, api_as: Any) -> None:
    sweep(date(2026, 3, 10))
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    assert "Expired" in client.get("/members/").get_data(as_text=True)
    reference = _reference(_renew(client, token, mia, "transfer"))
    officer = api_as(make_user("olga", roles=["membership.officer"]))
    settled = officer.post(f"/api/v1/membership_checkouts/{_checkout(reference).id}/settle",
                           json={"paid_on": "2026-03-12"})
    assert settled.status_code == 200, settled.get_json()
    membership = Env.system().records.get("memberships", mia)
    assert (membership.start_date, membership.end_date) == (date(2026, 3, 12), date(2027, 3, 11))


def test_an_unpaid_payment_expires_and_money_arriving_later_still_counts(
        client: Any, members: dict[str, Any], clock: Any, make_user: Any, api_as: Any) -> None:
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    reference = _reference(_renew(client, token, mia, "transfer"))
    assert _checkout(reference).expires_on == date(2026, 1, 29)
    clock.set(at(date(2026, 1, 30)))
    finished = execute(enqueue(EXPIRE_JOB).id)
    assert finished is not None and finished.result == {"expired": 1}
    assert execute(enqueue(EXPIRE_JOB).id).result == {"expired": 0}
    assert _checkout(reference).status == "expired"
    officer = api_as(make_user("olga", roles=["membership.officer"]))
    settled = officer.post(f"/api/v1/membership_checkouts/{_checkout(reference).id}/settle", json={})
    assert settled.status_code == 200 and _checkout(reference).status == "paid"


def test_a_cancelled_payment_is_not_settled(client: Any, members: dict[str, Any], card: Any) -> None:
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    reference = _reference(_renew(client, token, mia, "card"))
    assert client.post(f"/members/checkouts/{reference}/cancel", data={"csrf_token": token}).status_code == 303
    assert _checkout(reference).status == "cancelled"
    refused = _notify(client, {"id": "pay_2", "type": "payment.succeeded", "reference": reference,
                               "amount": "60.00", "currency": "EUR"})
    assert refused.status_code == 409 and "refund" in refused.get_json()["detail"] and _payments(mia) == 1
    assert "Pay by card" in client.get("/members/").get_data(as_text=True), "the member may start again"


def test_a_member_cannot_pay_themselves(client: Any, members: dict[str, Any]) -> None:
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    for _ in range(3):
        _renew(client, token, mia, "transfer")
    reference = _reference(_renew(client, token, mia, "transfer"))
    assert "will send you its bank details" in client.get(f"/members/checkouts/{reference}").get_data(as_text=True)
    headers = {"X-CSRFToken": token}
    checkout_id = _checkout(reference).id
    assert client.post(f"/api/v1/membership_checkouts/{checkout_id}/settle", json={},
                       headers=headers).status_code == 403
    assert client.post("/api/v1/membership_payments", headers=headers, json={
        "membership_id": mia, "amount": "60", "paid_on": "2026-01-15"}).status_code == 403
    assert client.post("/api/v1/_membership/processors/transfer/notify", json={}).status_code == 404
    assert _payments(mia) == 1
    assert db.session.scalar(select(func.count()).select_from(MembershipCheckout)) == 1


def test_an_officer_records_the_money_from_the_payments_page(client: Any, members: dict[str, Any],
                                                             make_user: Any) -> None:
    mia = members["mia"]["membership"]
    token = sign_in(client, "mia")
    reference = _reference(_renew(client, token, mia, "transfer"))
    client.post("/logout", data={"csrf_token": token})
    make_user("olga", roles=["membership.officer"])
    token = sign_in(client, "olga")
    checkout_id = _checkout(reference).id
    page = client.get(f"/m/membership_checkouts/{checkout_id}").get_data(as_text=True)
    assert "Money received" in page and "set membership_transfer_instructions" in page
    recorded = client.post(f"/membership/checkouts/{checkout_id}/settle", data={"csrf_token": token})
    assert recorded.status_code == 303 and recorded.headers["Location"] == f"/m/membership_checkouts/{checkout_id}"
    page = client.get(recorded.headers["Location"]).get_data(as_text=True)
    assert "Payment recorded" in page and "Money received" not in page and "paid up to 2026-12-31" in page
    cancelled = client.post(f"/membership/checkouts/{checkout_id}/cancel", data={"csrf_token": token},
                            follow_redirects=True)
    assert "Only an open payment is cancelled" in cancelled.get_data(as_text=True)
    assert _checkout(reference).status == "paid"
