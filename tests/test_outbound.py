"""Requests to user-given addresses reach the public internet only: webhook URLs at the
server itself, private networks, link-local metadata addresses, reserved ranges or other
schemes are refused when saved (a 422 on the URL) and again when delivered (after DNS
resolution and on every redirect), unless the host is in outbound_allowed_hosts."""
from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.outbound import OutboundRefused, check_url, post
from core.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.spectrum_addons("contacts")

REFUSED = [
    "http://127.0.0.1/hook", "http://127.1.2.3:8080/", "http://localhost:5000/hook", "http://[::1]/hook",
    "http://10.0.0.5/hook", "http://172.16.8.1/hook", "http://192.168.1.20/hook", "http://100.64.0.1/hook",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook", "http://0.0.0.0/hook", "http://[::]/hook",
    "http://224.0.0.1/hook", "http://240.0.0.1/hook", "http://[::ffff:127.0.0.1]/hook", "http://[2002:7f00:1::]/hook",
    "http://[fd00::1]/hook", "ftp://files.example.com/hook", "file:///etc/passwd", "gopher://example.com/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_and_other_schemes_are_refused(url):
    with pytest.raises(OutboundRefused):
        check_url(url)


def test_public_addresses_and_allowed_hosts_pass():
    check_url("https://93.184.215.14/hook")
    check_url("https://[2606:4700::6810:85e5]/hook")
    check_url("http://127.0.0.1:9000/hook", ["127.0.0.1"])
    check_url("http://10.20.3.4/hook", ["10.20.0.0/16"])
    check_url("http://localhost:9000/hook", ["localhost"])
    with pytest.raises(OutboundRefused):
        check_url("http://10.21.3.4/hook", ["10.20.0.0/16"])


class Internal:
    """A service on 127.0.0.1 that must not be reached, and a redirector in front of it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.target = ""

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append(request.path)
        if request.path == "/redirect":
            return Response("", status=307, headers={"Location": self.target})(environ, start_response)
        return Response("SECRET internal answer", status=200)(environ, start_response)


@pytest.fixture
def internal() -> Iterator[tuple[Internal, int]]:
    app = Internal()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, server.server_port
    server.shutdown()
    thread.join(5)


def test_a_redirect_to_an_internal_address_is_not_followed(internal):
    service, port = internal
    service.target = f"http://127.0.0.1:{port}/secret"
    # The first hop is allowed by name (as a deployer could allow a partner's host); its
    # redirect to the loopback address by number is checked and refused.
    with pytest.raises(OutboundRefused):
        post(f"http://localhost:{port}/redirect", b"{}", {}, timeout=5, allowed=["localhost"])
    assert service.hits == ["/redirect"]
    answer = post(f"http://localhost:{port}/redirect", b"{}", {}, timeout=5, allowed=["localhost", "127.0.0.1"])
    assert (answer.status, answer.body) == (200, "SECRET internal answer") and service.hits[-1] == "/secret"


def test_saving_a_webhook_to_an_internal_address_is_a_422_on_the_url(app, admin, api_as):
    api = api_as(admin)
    for url in ("http://169.254.169.254/latest/meta-data/", "http://localhost:8080/", "ftp://example.com/x"):
        refused = api.post("/api/v1/webhook_subscriptions", json={"name": "x", "url": url, "events": ["contacts.*"]})
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["url"], refused.json
    assert "outbound_allowed_hosts" in refused.json["errors"]["url"][0] or "http" in refused.json["errors"]["url"][0]
    app.extensions["spectrum"].settings["outbound_allowed_hosts"] = ["localhost"]
    allowed = api.post("/api/v1/webhook_subscriptions", json={"name": "x", "url": "http://localhost:8080/",
                                                               "events": ["contacts.*"]})
    assert allowed.status_code == 201, allowed.json


def test_delivery_checks_again_and_stores_nothing_from_an_internal_service(app, admin, internal):
    service, port = internal
    settings = app.extensions["spectrum"].settings
    settings["outbound_allowed_hosts"] = ["127.0.0.1"]  # allowed when saved...
    Env.for_user(admin).records.create("webhook_subscriptions", {
        "name": "Sync", "url": f"http://127.0.0.1:{port}/hook", "events": ["contacts.created"]})
    db.session.commit()
    settings["outbound_allowed_hosts"] = []  # ...and no longer when delivered
    Env.system().records.create("contacts", {"last_name": "Probe"})
    db.session.commit()
    Worker(app).run_once()
    db.session.expire_all()
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    assert service.hits == []
    assert delivery.status != "delivered" and delivery.response_body is None
    assert delivery.error.startswith("Refused: 127.0.0.1 is not a public internet address")
