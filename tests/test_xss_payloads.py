"""Classic payloads through every text field of every demo model, then every page and mail
that shows them, in a real Chromium: no script runs, no dialog opens, nothing is refused by
the Content-Security-Policy (a refusal would mean markup got through escaping and only the
policy stopped it), and no line break in a name becomes a mail header."""
from __future__ import annotations

from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.outbound import send_mail
from core.records.errors import RecordError
from core.testing.web import sign_in, sign_in_browser
from scripts.bench.demo_pages import page_urls

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)]

#: Each sets window.__xss if it ever runs, and opens a dialog.
PAYLOADS = (
    '<script>window.__xss="script";alert("script")</script>',
    '"><img src=x onerror="window.__xss=\'img\';alert(\'img\')">',
    "'><svg onload=\"window.__xss='svg';alert('svg')\">",
    'javascript:window.__xss="url";alert("url")//',
    '<a href="javascript:alert(\'link\')">x</a>{{ 7*7 }}{% raw %}',
)
#: Text kinds a payload goes into; the others (email, phone, url, choice) refuse it by validation.
TEXT_KINDS = ("text", "longtext")


def _plant_payloads() -> dict[str, list[tuple[int, str]]]:
    """Every text field of the first record of every model holds a payload; returns what
    was planted, by model (record id, field)."""
    env = Env.system()
    planted: dict[str, list[tuple[int, str]]] = {}
    turn = 0
    for resource in list(env.platform.models):
        meta = env.records.meta(resource)
        found = env.records.search(resource, limit=1).records
        if not found:
            continue
        record_id = found[0].id
        for field in meta.fields.values():
            if field.kind not in TEXT_KINDS or not field.writable or field.choices or field.name == "login":
                continue  # (a login that is a payload could not sign in to look at the pages)
            payload = PAYLOADS[turn % len(PAYLOADS)]
            turn += 1
            try:
                with db.session.begin_nested():
                    env.records.update(resource, record_id, {field.name: payload[:field.max_length or None]})
            except RecordError:
                continue  # a unique value or a rule of the model: the next field gets the next payload
            planted.setdefault(resource, []).append((record_id, field.name))
    db.session.commit()
    return planted


def _watch(page: Any) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"dialogs": [], "refused": []}
    page.on("dialog", lambda dialog: (seen["dialogs"].append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: seen["refused"].append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text and "font" not in message.text else None)
    return seen


def _visit(page: Any, base: str, urls: list[str]) -> list[str]:
    """Open each page; the URLs where a payload ran."""
    ran = []
    for url in urls:
        page.goto(f"{base}{url}")
        if page.evaluate("() => window.__xss") is not None:
            ran.append(url)
    return ran


def test_payloads_in_every_text_field_run_nowhere(app, client, admin, make_user, live_server, page, smtp_server):
    planted = _plant_payloads()
    assert {"contacts", "accounts", "opportunities", "leads", "tickets", "pipeline_stages"} <= set(planted)
    assert sum(len(fields) for fields in planted.values()) > 60

    ticket = Env.system().records.get("tickets", planted["tickets"][0][0])
    customer = make_user("customer", kind="portal", roles=["base.portal"], contact_id=ticket.contact_id)
    sign_in(client, "admin")
    urls = page_urls(app, client)
    assert len(urls) > 200
    seen = _watch(page)
    sign_in_browser(page, live_server, "admin")
    ran = _visit(page, live_server, [*urls, "/sales/forecast", "/admin/audit", "/admin/mail"])

    page.context.clear_cookies()
    sign_in_browser(page, live_server, customer.login, landing="/portal/")
    ran += _visit(page, live_server, ["/portal/", f"/portal/tickets/{ticket.id}", "/portal/kb"])
    page.context.clear_cookies()
    ran += _visit(page, live_server, ["/sales/web-form", "/login"])

    assert ran == [], "a payload ran"
    assert seen["dialogs"] == []
    assert seen["refused"] == [], "markup got through escaping; only the Content-Security-Policy stopped it"


def test_payloads_in_mail_stay_text_and_line_breaks_never_make_headers(app, smtp_server, api_as, admin):
    smtp_server.configure(app)
    records = Env.system().records
    contact = records.search("contacts", [["email", "is not null", None]], limit=1).records[0]
    records.update("contacts", contact.id, {"first_name": PAYLOADS[0], "notes": PAYLOADS[1]})
    db.session.commit()
    api = api_as(admin)
    refused = api.patch(f"/api/v1/contacts/{contact.id}",
                        json={"last_name": "Eve\r\nBcc: victim@example.com", "version": contact.version})
    assert refused.status_code == 422 and "last_name" in refused.json["errors"]

    records.create("mail_templates", {"name": "payloads", "model": "contacts",
                                      "subject": "Hello {{ recipient.first_name }}",
                                      "body_html": "<p>{{ record.first_name }} {{ record.notes }}</p>",
                                      "body_text": "{{ record.first_name }}"})
    message = send_mail(Env.system(), contact.email, template="payloads", to_name="Eve\r\nBcc: victim@example.com",
                        record=("contacts", contact.id), recipient=("contacts", contact.id))
    db.session.commit()
    Worker(app).run_once()
    db.session.refresh(message)
    assert message.status == "sent", message.error
    assert not any("victim@example.com" in received.rcpt_tos for received in smtp_server.messages), "no Bcc"
    ours = [received for received in smtp_server.messages if received.message["Message-ID"] == message.message_id]
    assert [received.rcpt_tos for received in ours] == [[contact.email]]
    mail = ours[0].message
    assert mail.get_all("Bcc") is None
    assert [name.lower() for name in mail.keys()].count("to") == 1
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "onerror=" not in html.replace("onerror=&#34;", "").replace(
        "onerror=&quot;", "")
    assert "&lt;script&gt;" in html
