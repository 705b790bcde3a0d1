"""Text messages against a real local HTTP server speaking Twilio's Messages API: the
log, the form and credentials sent, permanent and temporary refusals, the file
transport, signed webhooks (delivery reports, STOP and START replies)."""
from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import JobRun
from core.jobs.worker import Worker
from core.mail.models import Consent
from core.records.errors import ValidationFailed
from core.sms import signals
from core.sms.models import SmsMessage
from core.sms.outbound import send_sms
from core.sms.transport import file_path
from core.sms.webhooks import signature

BASE_URL = "https://crm.example.com"
TOKEN = "twilio-auth-token"
ACCOUNT = "AC0123456789"


class TwilioShape(ThreadingHTTPServer):
    """A local provider: records each request; answers with the next queued reply, else
    201 and a fresh message sid."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.replies: list[tuple[int, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: TwilioShape

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        form = {name: values[0] for name, values in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.requests.append({"path": self.path, "form": form, "authorization": self.headers["Authorization"],
                                     "content_type": self.headers["Content-Type"]})
        status, answer = self.server.replies.pop(0) if self.server.replies else \
            (201, {"sid": f"SM{len(self.server.requests):032d}", "status": "queued"})
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def provider() -> Iterator[TwilioShape]:
    server = TwilioShape()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def heard() -> Iterator[Any]:
    """heard(signal, argument) -> the list of that keyword argument of each emission, until the test ends."""
    connected: list[tuple[Any, Any]] = []

    def listen(signal: Any, argument: str) -> list[Any]:
        values: list[Any] = []

        def receiver(sender: Any, **payload: Any) -> None:
            value = payload[argument]
            values.append(value.id if isinstance(value, SmsMessage) else value)

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
        return values

    yield listen
    for signal, receiver in connected:
        signal.disconnect(receiver)


@pytest.fixture
def texting(app, provider):
    """The app sending through the local provider, as account ACCOUNT from +15005550006."""
    app.extensions["spectrum"].settings.update({
        "base_url": BASE_URL, "sms_transport": "http", "sms_http_base_url": provider.url, "sms_account": ACCOUNT,
        "sms_token": TOKEN, "sms_from": "+15005550006", "sms_timeout": 5, "outbound_allowed_hosts": ["127.0.0.1"]})
    return provider


def _send(to: str = "+33 6 65 87 10 99", body: str = "Your order shipped.", **options: Any) -> SmsMessage:
    message = send_sms(Env.system(), to, body, **options)
    db.session.commit()
    return message


def _fresh(message_id: int) -> SmsMessage:
    db.session.commit()
    return db.session.get(SmsMessage, message_id)


def _post(client, path: str, form: dict[str, str], *, signed_with: str | None = TOKEN, url: str | None = None):
    headers = {}
    if signed_with is not None:
        headers["X-Twilio-Signature"] = signature(signed_with, url or f"{BASE_URL}{path}", form)
    return client.post(path, data=form, headers=headers)


def test_a_message_is_logged_queued_and_posted_in_twilios_shape(app, texting, heard):
    sent = heard(signals.sms_sent, "message")
    message = _send(record=("users", 1), recipient=("users", 1), channel="sms.marketing")
    assert (message.status, message.to_number, message.channel) == ("queued", "+33665871099", "sms.marketing")
    assert texting.requests == []  # only queued
    Worker(app).run_once()

    [request] = texting.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["authorization"] == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request["form"] == {"To": "+33665871099", "From": "+15005550006", "Body": "Your order shipped.",
                               "StatusCallback": f"{BASE_URL}/sms/status"}
    done = _fresh(message.id)
    assert (done.status, done.provider_id, done.attempts, done.error) == ("sent", f"SM{1:032d}", 1, None)
    assert done.sent_at == app.extensions["spectrum"].clock.now()
    assert (done.related_model, done.related_id, done.recipient_model) == ("users", 1, "users")
    assert sent == [message.id]


def test_a_4xx_fails_for_good_and_a_503_is_retried_later(app, texting, clock):
    texting.replies.append((400, {"code": 21211, "message": "The 'To' number is not a valid phone number."}))
    refused = _send()
    worker = Worker(app)
    worker.run_once()
    failed = _fresh(refused.id)
    assert failed.status == "failed"
    assert failed.error == "400 21211 The 'To' number is not a valid phone number."
    run = db.session.scalar(select(JobRun).where(JobRun.name == "sms.send").order_by(JobRun.id.desc()))
    assert (run.status, run.attempts) == ("failed", 1)  # never retried

    texting.replies.append((503, {"code": 20503, "message": "Service unavailable"}))
    waiting = _send()
    worker.run_once()
    later = _fresh(waiting.id)
    assert (later.status, later.attempts, later.error) == ("queued", 1, "503 20503 Service unavailable")
    assert len(texting.requests) == 2
    worker.run_once()
    assert len(texting.requests) == 2  # not before its backoff
    clock.advance(timedelta(minutes=1))
    worker.run_once()
    assert len(texting.requests) == 3
    assert (_fresh(waiting.id).status, _fresh(waiting.id).attempts) == ("sent", 2)


def test_the_file_transport_writes_one_json_line_per_message(app, tmp_path):
    app.extensions["spectrum"].settings.update({"sms_transport": "file", "sms_file_path": str(tmp_path / "out.jsonl"),
                                                "sms_from": "+15005550006", "base_url": BASE_URL})
    message = _send(body="Hello Ada")
    Worker(app).run_once()
    [line] = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == {"id": f"file-{message.id}", "to": "+33665871099", "from": "+15005550006",
                                "body": "Hello Ada", "status_callback": f"{BASE_URL}/sms/status",
                                "created_at": message.created_at.isoformat()}
    assert _fresh(message.id).status == "sent"
    app.extensions["spectrum"].settings["sms_file_path"] = ""
    assert file_path(app.extensions["spectrum"].settings).name == "sms.jsonl"


def test_a_number_that_is_not_one_is_refused_with_the_field(app):
    with pytest.raises(ValidationFailed) as refused:
        send_sms(Env.system(), "12", "Hello")
    assert list(refused.value.errors) == ["to"]


def test_delivery_reports_need_a_good_signature_and_move_the_log_row(app, texting, client, heard):
    delivered = heard(signals.sms_delivered, "message")
    message = _send()
    Worker(app).run_once()
    sid = _fresh(message.id).provider_id
    report = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT}
    assert _post(client, "/sms/status", report, signed_with=None).status_code == 403
    assert _post(client, "/sms/status", report, signed_with="not-the-token").status_code == 403
    assert _post(client, "/sms/status", report, url="https://elsewhere.example/sms/status").status_code == 403
    assert _fresh(message.id).status == "sent"
    assert _post(client, "/sms/status", report).status_code == 204
    done = _fresh(message.id)
    assert (done.status, done.delivered_at) == ("delivered", app.extensions["spectrum"].clock.now())
    assert delivered == [message.id]

    other = _send()
    Worker(app).run_once()
    failure = {"MessageSid": _fresh(other.id).provider_id, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert _post(client, "/sms/status", failure).status_code == 204
    assert (_fresh(other.id).status, _fresh(other.id).error) == ("failed", "undelivered (error 30003)")


def test_stop_withdraws_the_numbers_consent_and_start_grants_it_again(app, texting, client, heard):
    received = heard(signals.sms_received, "keyword")
    assert _post(client, "/sms/inbound", {"From": "+33665871099", "Body": " stop "}, signed_with="forged").status_code \
        == 403
    assert received == [] and db.session.scalar(select(Consent)) is None
    answer = _post(client, "/sms/inbound", {"From": "+33665871099", "Body": " stop ", "To": "+15005550006"})
    assert answer.status_code == 200 and answer.mimetype == "text/xml"
    consent = db.session.scalar(select(Consent))
    assert (consent.address, consent.channel, consent.state, consent.source) == \
        ("+33665871099", "sms", "withdrawn", "sms reply")
    blocked = _send("06 65 87 10 99", country="FR", channel="sms.marketing.news")
    assert blocked.status == "suppressed" and "withdrawn for sms" in blocked.error
    Worker(app).run_once()
    assert texting.requests == []

    assert _post(client, "/sms/inbound", {"From": "+33665871099", "Body": "Thanks!"}).status_code == 200
    assert _post(client, "/sms/inbound", {"From": "+33665871099", "Body": "START"}).status_code == 200
    assert received == ["stop", None, "start"]
    assert _fresh_consent().state == "granted"
    allowed = _send()
    assert allowed.status == "queued"
    Worker(app).run_once()
    assert len(texting.requests) == 1


def _fresh_consent() -> Consent:
    db.session.commit()
    return db.session.scalar(select(Consent))


def test_sent_and_received_texts_land_on_the_contacts_timeline(app, texting, client):
    from addons.contacts.models import Interaction

    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace",
                                                      "mobile": "06 65 87 10 99", "country": "FR"})
    db.session.commit()
    message = _send(recipient=("contacts", contact.id), body="Your order shipped.")
    Worker(app).run_once()
    assert _post(client, "/sms/inbound", {"From": "+33665871099", "Body": "Thank you!"}).status_code == 200
    db.session.commit()
    rows = db.session.execute(select(Interaction.channel, Interaction.direction, Interaction.subject,
                                     Interaction.related_model, Interaction.related_id)
                              .where(Interaction.contact_id == contact.id).order_by(Interaction.id)).all()
    assert rows == [("sms", "outbound", "SMS sent: Your order shipped.", "sms_messages", message.id),
                    ("sms", "inbound", "SMS received: Thank you!", None, None)]
