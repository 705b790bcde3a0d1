"""Security headers on every kind of response: back-office and portal pages, the API, the
public web form (the one page other sites may frame), mail tracking and static files."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from core.db import db
from core.env import Env
from core.mail.outbound import send_mail
from core.mail.tracking import unsubscribe_url
from core.testing.web import sign_in
from core.web.headers import content_policy

pytestmark = pytest.mark.spectrum_addons("contacts", "sales", "service_desk")


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) if " " in part.strip() else (part.strip(), "")
                for part in header.split(";") if part.strip())


def _assert_walled(response, *, framable: bool = False) -> dict[str, str]:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    policy = _policy(response)
    if framable:
        assert "X-Frame-Options" not in headers
    else:
        assert headers["X-Frame-Options"] == "DENY"
        assert policy["frame-ancestors"] == "'none'"
    if response.mimetype == "text/html":
        assert policy["script-src"] == "'self'", "no inline script, no eval, no other origin"
        assert policy["object-src"] == "'none'"
    else:
        assert policy["default-src"] == "'none'"
    return policy


def test_every_kind_of_response_carries_the_security_headers(app, client, admin, make_user, api_as):
    records = Env.system().records
    contact = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"})
    message = send_mail(Env.system(), "ada@example.com", subject="Hi", text="Hello", unsubscribe=True)
    make_user("customer", kind="portal", roles=["base.portal"], contact_id=contact.id)
    db.session.commit()
    anonymous = {
        "sign-in page": client.get("/login"),
        "missing page": client.get("/no/such/page"),
        "static file": client.get("/static/app.js"),
        "API docs": client.get("/api/docs"),
        "OpenAPI document": client.get("/api/openapi.json"),
        "API without a token": client.get("/api/v1/contacts"),
        "unsubscribe page": client.get(urlsplit(unsubscribe_url(message)).path),
        "web form token": client.get("/sales/web-form/token"),
    }
    for name, response in anonymous.items():
        assert response.status_code < 500, name
        _assert_walled(response)
    api = api_as(admin)
    _assert_walled(api.get("/api/v1/contacts"))
    _assert_walled(api.get("/api/v1/contacts/999999"))
    sign_in(client, "customer")
    portal_page = client.get("/portal/")
    assert portal_page.status_code == 200
    _assert_walled(portal_page)


def test_the_back_office_pages_are_walled(app, client, admin):
    sign_in(client, "admin")
    for url in ("/", "/m/contacts", "/m/contacts/new", "/sales/forecast", "/admin/mail"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_walled(response)


def test_only_the_web_form_may_be_framed_and_only_by_the_configured_sites(app, client):
    app.extensions["spectrum"].settings.update({"frame_ancestors": ["https://www.example.com"],
                                                "sales_webform_redirect": "https://www.example.com/thanks"})
    form = client.get("/sales/web-form")
    policy = _assert_walled(form, framable=True)
    assert policy["frame-ancestors"] == "https://www.example.com"
    assert policy["form-action"] == "'self' https://www.example.com"
    sent = client.post("/sales/web-form", data={"email": "x@example.com"})
    assert _assert_walled(sent, framable=True)["frame-ancestors"] == "https://www.example.com"


def test_a_view_cannot_widen_its_script_sources():
    with pytest.raises(ValueError, match="script-src"):
        content_policy(script_src="'self' 'unsafe-inline'")
