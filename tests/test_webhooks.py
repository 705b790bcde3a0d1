"""Webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries of record and
addon events, permissions, retries with backoff, the delivery log, disabling."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.testing.sql import sent_statements
from core.webhooks.delivery import verify_signature
from core.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")


@pytest.fixture(autouse=True)
def local_receivers_allowed(app):
    """The receivers of these tests listen on 127.0.0.1, which only an allowed host may reach."""
    app.extensions["spectrum"].settings["outbound_allowed_hosts"] = ["127.0.0.1"]


class Receiver:
    """A WSGI app that records every request and answers with the next queued status."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append({"path": request.path, "headers": dict(request.headers), "body": request.get_data()})
        status = self.statuses.pop(0) if self.statuses else 204
        return Response("" if status == 204 else f"status {status}", status=status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()
    thread.join(5)


def _subscribe(user: Any, url: str, events: list[str], secret: str = "whsec-test") -> WebhookSubscription:
    subscription = Env.for_user(user).records.create("webhook_subscriptions", {
        "name": "CRM sync", "url": url, "events": events, "secret": secret})
    db.session.commit()
    return subscription


def _deliveries() -> list[WebhookDelivery]:
    db.session.commit()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_record_event_arrives_signed_with_a_timestamp(app, admin, receiver, clock):
    hook, url = receiver
    _subscribe(admin, url, ["contacts.created", "contacts.updated"])
    contact = Env.system().records.create("contacts", {"last_name": "Hopper", "email": "grace@example.com"})
    db.session.commit()
    Worker(app).run_once()

    [request] = hook.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks"
    assert headers["X-Spectrum-Event"] == "contacts.created"
    assert headers["X-Spectrum-Timestamp"] == str(int(clock.now().timestamp())) == "1767603600"
    assert headers["Content-Type"] == "application/json"
    assert verify_signature("whsec-test", body, headers["X-Spectrum-Timestamp"], headers["X-Spectrum-Signature"],
                            clock.now())
    assert not verify_signature("other-secret", body, headers["X-Spectrum-Timestamp"],
                                headers["X-Spectrum-Signature"], clock.now())
    assert not verify_signature("whsec-test", body, headers["X-Spectrum-Timestamp"], headers["X-Spectrum-Signature"],
                                clock.now() + timedelta(minutes=6))  # a replay, too late
    payload = json.loads(body)
    assert (payload["event"], payload["occurred_at"]) == ("contacts.created", "2026-01-05T09:00:00+00:00")
    assert (payload["data"]["id"], payload["data"]["email"]) == (contact.id, "grace@example.com")
    [delivery] = _deliveries()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 204, 1)
    assert headers["X-Spectrum-Delivery"] == str(delivery.id)

    Env.system().records.update("contacts", contact.id, {"title": "Rear admiral"})
    db.session.commit()
    Worker(app).run_once()
    assert json.loads(hook.requests[1]["body"])["changed"] == ["title"]


def test_an_addon_event_reaches_its_subscribers(app, admin, receiver):
    hook, url = receiver
    _subscribe(admin, url, ["jobs_demo.*"])
    from jobs_demo.plugin import happened

    happened.send("demo", what="the thing")
    db.session.commit()
    Worker(app).run_once()
    [request] = hook.requests
    assert json.loads(request["body"])["data"] == {"what": "the thing"}
    assert request["headers"]["X-Spectrum-Event"] == "jobs_demo.happened"


def test_payloads_are_read_with_the_subscription_owners_permissions(app, make_user, receiver):
    hook, url = receiver
    owner = make_user("integrator", roles=["contacts.own"])
    admin = make_user("boss", roles=["base.admin"])
    Env.for_user(admin).records.create("webhook_subscriptions", {
        "name": "Integrator", "url": url, "events": ["contacts.created"], "run_as_id": owner.id})
    records = Env.system().records
    records.create("contacts", {"last_name": "Someone else's"})
    mine = records.create("contacts", {"last_name": "Mine", "owner_id": owner.id})
    db.session.commit()
    Worker(app).run_once()
    assert [json.loads(r["body"])["data"]["id"] for r in hook.requests] == [mine.id]


def test_failed_deliveries_retry_with_backoff_and_disable_the_webhook(app, admin, receiver, clock):
    hook, url = receiver
    app.extensions["spectrum"].settings["webhook_disable_after"] = 3
    subscription = _subscribe(admin, url, ["contacts.created"])
    hook.statuses = [500, 503]
    Env.system().records.create("contacts", {"last_name": "Retry"})
    db.session.commit()
    worker = Worker(app)
    worker.run_once()
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.response_body == "status 500"
    clock.advance(timedelta(seconds=30))
    worker.run_once()
    assert (_deliveries()[0].attempts, _deliveries()[0].response_code) == (2, 503)
    clock.advance(timedelta(seconds=59))
    worker.run_once()
    assert _deliveries()[0].attempts == 2  # the second wait is twice the first
    clock.advance(timedelta(seconds=1))
    worker.run_once()
    delivered = _deliveries()[0]
    assert (delivered.status, delivered.attempts, delivered.response_code) == ("delivered", 3, 204)
    assert db.session.get(WebhookSubscription, subscription.id).failure_count == 0

    hook.statuses = [500, 500, 500]
    Env.system().records.create("contacts", {"last_name": "Doomed"})
    db.session.commit()
    for _ in range(3):
        worker.run_once()
        clock.advance(timedelta(minutes=5))
    failed = _deliveries()[-1]
    assert (failed.status, failed.attempts) == ("failed", 3)
    disabled = db.session.get(WebhookSubscription, subscription.id)
    assert (disabled.active, disabled.failure_count) == (False, 3)
    assert disabled.disabled_at is not None
    Env.system().records.create("contacts", {"last_name": "Unheard"})
    db.session.commit()
    assert len(_deliveries()) == 2  # a disabled webhook gets nothing

    Env.for_user(admin).records.update("webhook_subscriptions", subscription.id, {"active": True})
    db.session.commit()
    resumed = db.session.get(WebhookSubscription, subscription.id)
    assert (resumed.failure_count, resumed.disabled_at) == (0, None)


def test_unknown_events_are_refused_and_the_catalogue_lists_them(app, admin, api_as, receiver):
    _hook, url = receiver
    api = api_as(admin)
    refused = api.post("/api/v1/webhook_subscriptions", json={"name": "x", "url": url, "events": ["contcts.created"]})
    assert refused.status_code == 422 and "no event matches 'contcts.created'" in refused.json["detail"]
    created = api.post("/api/v1/webhook_subscriptions", json={"name": "x", "url": url, "events": ["contacts.*"]})
    assert created.status_code == 201 and len(created.json["secret"]) >= 32
    names = [event["name"] for event in api.get("/api/v1/_admin/webhooks/events").json["data"]]
    assert {"contacts.created", "contacts.deleted", "jobs_demo.happened"} <= set(names)


def test_ping_and_redeliver_through_the_api(app, admin, api_as, receiver):
    hook, url = receiver
    subscription = _subscribe(admin, url, ["contacts.created"])
    api = api_as(admin)
    pinged = api.post(f"/api/v1/webhook_subscriptions/{subscription.id}/ping")
    assert pinged.status_code == 200 and pinged.json["event"] == "ping"
    Worker(app).run_once()
    again = api.post(f"/api/v1/webhook_deliveries/{pinged.json['id']}/redeliver")
    assert again.status_code == 200 and again.json["status"] == "pending"
    Worker(app).run_once()
    assert [r["headers"]["X-Spectrum-Event"] for r in hook.requests] == ["ping", "ping"]
    assert hook.requests[0]["body"] == hook.requests[1]["body"]
    assert datetime.fromisoformat(json.loads(hook.requests[0]["body"])["occurred_at"]) == \
        datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def test_each_record_of_a_batch_is_published_and_unwanted_events_open_no_savepoint(app, admin, receiver):
    _, url = receiver

    def savepoints(statements: list[str]) -> int:
        return len([statement for statement in statements if statement.startswith("SAVEPOINT")])

    records = Env.system().records
    subscription = _subscribe(admin, url, ["accounts.*"])
    with sent_statements() as sent:
        records.create_many("contacts", [{"last_name": f"Quiet{i}"} for i in range(3)])
    quiet = savepoints(sent)
    records.update("webhook_subscriptions", subscription.id, {"events": ["contacts.created"]})
    with sent_statements() as sent:
        made = records.create_many("contacts", [{"last_name": f"Heard{i}"} for i in range(3)])
    heard = savepoints(sent)

    assert (quiet, heard) == (1, 1 + 3)  # the batch's own, then one per delivery written
    assert [(d.event, json.loads(d.body)["data"]["id"]) for d in _deliveries()] == [
        ("contacts.created", contact.id) for contact in made]


def test_subscriptions_created_in_a_batch_hear_the_next_records_of_the_transaction(app, admin, receiver):
    _, url = receiver
    records = Env.for_user(admin).records
    records.create("contacts", {"last_name": "Before"})  # reads the (empty) subscriptions of the transaction
    records.create_many("webhook_subscriptions", [
        {"name": "Sync", "url": url, "events": ["contacts.created"], "secret": "whsec-one"},
        {"name": "Audit", "url": url, "events": ["accounts.created"], "secret": "whsec-two"}])
    contact = records.create("contacts", {"last_name": "After"})
    assert [(d.event, json.loads(d.body)["data"]["id"]) for d in _deliveries()] == [("contacts.created", contact.id)]
