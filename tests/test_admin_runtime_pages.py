"""The admin pages of the runtime through HTTP: jobs (run now, failed list, retry), the mail
log with tracking, template previews, webhooks with their delivery log, and who may see them."""
from __future__ import annotations

import html
import re
import threading
from datetime import timedelta
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue
from core.jobs.worker import Worker
from core.mail.models import MailMessage
from core.mail.outbound import send_mail
from core.mail.tracking import click_url, open_url
from core.testing.web import sign_in
from core.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")

ADMIN_PAGES = ["/admin/jobs", "/admin/mail", "/admin/mail/templates", "/admin/webhooks"]


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")


def _section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has `heading_id`."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def contact(app) -> Any:
    records = Env.system().records
    account = records.create("accounts", {"name": "Globex"})
    ada = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                      "account_id": account.id})
    records.create("mail_templates", {
        "name": "welcome", "model": "contacts", "subject": "Welcome, {{ recipient.first_name }}",
        "body_html": '<p>Hello {{ recipient.first_name }} of {{ record.account.name }}</p>'
                     '<p><a href="https://example.org/offer">Offer</a></p>',
        "body_text": "Hello {{ recipient.first_name }} of {{ record.account.name }}.\n"})
    db.session.commit()
    return ada


def test_a_failed_job_is_listed_and_retry_runs_it_again(app, client, admin, clock):
    run_id = enqueue("jobs_demo.flaky", {"succeed_on": 4}).id
    db.session.commit()
    worker = Worker(app)
    for wait in (1, 2, 4):  # three attempts with their backoff, then the failed list
        worker.run_once()
        clock.advance(timedelta(minutes=wait))
    db.session.commit()
    assert (db.session.get(JobRun, run_id).status, db.session.get(JobRun, run_id).attempts) == ("failed", 3)

    token = sign_in(client, "admin")
    failed = _section(client.get("/admin/jobs").get_data(as_text=True), "failed")
    assert f'id="run-{run_id}"' in failed and "RuntimeError: attempt 3 failed on purpose" in failed
    assert f'action="/admin/jobs/runs/{run_id}/retry"' in failed

    assert client.post(f"/admin/jobs/runs/{run_id}/retry").status_code == 400  # no CSRF token
    retried = client.post(f"/admin/jobs/runs/{run_id}/retry", data={"csrf_token": token})
    assert (retried.status_code, retried.location) == (303, "/admin/jobs")
    db.session.commit()
    run = db.session.get(JobRun, run_id)
    assert (run.status, run.trigger, run.attempts, run.max_attempts) == ("queued", "retry", 3, 6)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert f"Queued run #{run_id} of jobs_demo.flaky again (attempt 4 of 6)." in page
    assert "No failed runs." in _section(page, "failed")

    worker.run_once()
    db.session.commit()
    run = db.session.get(JobRun, run_id)
    assert (run.status, run.attempts, run.result, run.error) == ("succeeded", 4, {"succeeded_on": 4}, None)
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == "jobs_demo.flaky")) == 1
    recent = _section(client.get("/admin/jobs?name=jobs_demo.flaky").get_data(as_text=True), "recent")
    assert f'id="run-{run_id}"' in recent and "succeeded" in recent and "4 / 6" in recent

    again = client.post(f"/admin/jobs/runs/{run_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert f"job run #{run_id} (jobs_demo.flaky) is succeeded; only failed runs are retried" in again.get_data(
        as_text=True)
    assert client.post("/admin/jobs/runs/999999/retry", data={"csrf_token": token}).status_code == 404


def test_run_now_queues_a_declared_job_with_its_arguments(app, client, admin):
    token = sign_in(client, "admin")
    declared = _section(client.get("/admin/jobs").get_data(as_text=True), "declared")
    assert 'id="job-jobs_demo.remind"' in declared and "every 600s" in declared
    assert 'action="/admin/jobs/jobs_demo.echo/run"' in declared

    queued = client.post("/admin/jobs/jobs_demo.echo/run", data={"csrf_token": token, "payload": '{"n": 7}'})
    assert queued.status_code == 303
    db.session.commit()
    [run] = db.session.scalars(select(JobRun).where(JobRun.name == "jobs_demo.echo")).all()
    assert (run.status, run.trigger, run.payload, run.as_system) == ("queued", "manual", {"n": 7}, True)
    Worker(app).run_once()
    db.session.commit()
    run = db.session.get(JobRun, run.id)
    assert (run.status, run.result) == ("succeeded", {"payload": {"n": 7}, "user": None, "attempt": 1})

    refused = client.post("/admin/jobs/jobs_demo.echo/run", data={"csrf_token": token, "payload": "[1]"},
                          follow_redirects=True)
    assert "jobs_demo.echo: arguments give a JSON object of the job&#39;s keyword arguments" in refused.get_data(
        as_text=True)
    assert client.post("/admin/jobs/jobs_demo.ecko/run", data={"csrf_token": token}).status_code == 404
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == "jobs_demo.echo")) == 1


def test_preview_renders_a_template_with_a_records_placeholders(app, client, admin, contact):
    sign_in(client, "admin")
    listing = client.get("/admin/mail/templates").get_data(as_text=True)
    template_id = int(re.search(r'href="/admin/mail/templates/(\d+)/preview"', listing).group(1))

    url = (f"/admin/mail/templates/{template_id}/preview?model=contacts&record_id={contact.id}"
           f"&recipient_model=contacts&recipient_id={contact.id}&to=ada@example.com")
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<dd id="preview-subject">Welcome, Ada</dd>' in page
    assert '<pre id="preview-text">Hello Ada of Globex.\n</pre>' in page
    rendered_html = '<p>Hello Ada of Globex</p><p><a href="https://example.org/offer">Offer</a></p>'
    assert f'<pre id="preview-html">{html.escape(rendered_html, quote=True)}</pre>' in page.replace("&#34;", "&quot;")
    assert 'sandbox srcdoc="&lt;p&gt;Hello Ada of Globex' in page
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 0  # nothing logged or sent

    without_recipient = client.get(f"/admin/mail/templates/{template_id}/preview?model=contacts"
                                   f"&record_id={contact.id}&recipient_model=")
    assert without_recipient.status_code == 422
    assert "the template does not render" in without_recipient.get_data(as_text=True)
    missing = client.get(f"/admin/mail/templates/{template_id}/preview?model=contacts&record_id=999999")
    assert missing.status_code == 404 and "contacts #999999 does not exist" in missing.get_data(as_text=True)


def test_the_mail_log_shows_a_sent_message_with_its_tracking(app, client, admin, contact, smtp_server):
    smtp_server.configure(app)
    app.extensions["spectrum"].settings["base_url"] = "https://crm.example.com"
    message = send_mail(Env.system(), contact.email, template="welcome", record=("contacts", contact.id),
                        recipient=("contacts", contact.id))
    db.session.commit()
    Worker(app).run_once()
    assert [received.rcpt_tos for received in smtp_server.messages] == [["ada@example.com"]]
    assert client.get(urlsplit(open_url(message)).path).status_code == 200
    clicked = client.get(urlsplit(click_url(message, 1)).path)
    assert clicked.location == "https://example.org/offer"

    sign_in(client, "admin")
    sent = client.get("/admin/mail?status=sent").get_data(as_text=True)
    row = sent[sent.index(f'id="message-{message.id}"'):]
    row = row[:row.index("</tr>")]
    assert "ada@example.com" in row and f'href="/admin/mail/{message.id}">Welcome, Ada</a>' in row
    assert '<td class="status-sent">sent</td>' in row and "<td>1</td><td>1</td>" in row
    assert "Sent (1)" in sent
    assert f'id="message-{message.id}"' not in client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert f'id="message-{message.id}"' in client.get("/admin/mail?q=Welcome").get_data(as_text=True)

    detail = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    events = re.findall(r"</time> ([^<]+)</li>", detail)
    assert events == ["queued", "sent (provider id Q0001)", "first opened", "first link clicked"]
    assert "1 open(s), 1 click(s)." in detail and "Hello Ada of Globex." in detail
    link = detail[detail.index('id="link-1"'):]
    assert link[:link.index("</tr>")] == \
        'id="link-1"><td>1</td><td><code>https://example.org/offer</code></td><td>1</td>'
    db.session.commit()
    viewed = db.session.get(MailMessage, message.id)
    assert (viewed.open_count, viewed.click_count) == (1, 1)  # the page itself counted nothing


class FlakyReceiver:
    """A webhook receiver on loopback answering with queued statuses (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received = 0

    def __call__(self, environ: Any, start_response: Any) -> Any:
        self.received += 1
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(f"status {status}", status=status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[tuple[FlakyReceiver, str]]:
    application = FlakyReceiver()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield application, f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()
    thread.join(5)


def test_webhooks_show_their_delivery_log_and_a_disabled_one_is_re_enabled(app, client, admin, receiver):
    hook, url = receiver
    app.extensions["spectrum"].settings["outbound_allowed_hosts"] = ["127.0.0.1"]
    app.extensions["spectrum"].settings["webhook_disable_after"] = 1
    subscription = Env.for_user(admin).records.create("webhook_subscriptions", {
        "name": "CRM sync", "url": url, "events": ["contacts.created"]})
    db.session.commit()
    hook.statuses = [500]
    Env.system().records.create("contacts", {"last_name": "Refused"})
    db.session.commit()
    Worker(app).run_once()
    db.session.commit()
    assert db.session.get(WebhookSubscription, subscription.id).active is False

    token = sign_in(client, "admin")
    listed = client.get("/admin/webhooks").get_data(as_text=True)
    row = listed[listed.index(f'id="webhook-{subscription.id}"'):]
    row = row[:row.index("</tr>")]
    assert "disabled since 2026-01-05 09:00" in row and "<td>500</td>" in row and "Re-enable" in row
    page = client.get(f"/admin/webhooks/{subscription.id}").get_data(as_text=True)
    [failed] = db.session.scalars(select(WebhookDelivery)).all()
    delivery = page[page.index(f'id="delivery-{failed.id}"'):]
    assert '<td class="status-failed">failed</td>' in delivery[:delivery.index("</tr>")]
    assert '<td class="response">500</td>' in delivery[:delivery.index("</tr>")]

    enabled = client.post(f"/admin/webhooks/{subscription.id}/enable",
                          data={"csrf_token": token, "version": subscription.version}, follow_redirects=True)
    assert "Webhook CRM sync is active again" in enabled.get_data(as_text=True)
    assert '<dd id="webhook-state">active</dd>' in enabled.get_data(as_text=True)
    db.session.commit()
    resumed = db.session.get(WebhookSubscription, subscription.id)
    assert (resumed.active, resumed.failure_count, resumed.disabled_at) == (True, 0, None)

    Env.system().records.create("contacts", {"last_name": "Heard"})
    db.session.commit()
    Worker(app).run_once()
    delivered = client.get(f"/admin/webhooks/{subscription.id}?status=delivered").get_data(as_text=True)
    assert delivered.count('id="delivery-') == 1 and '<td class="response">200</td>' in delivered
    assert hook.received == 2


def test_non_admins_get_403_and_see_no_admin_menu_entry(app, client, admin, make_user, contact):
    make_user("clerk", roles=["contacts.user"])
    token = sign_in(client, "admin")
    home = client.get("/").get_data(as_text=True)
    assert all(f'href="{page}"' in home for page in ADMIN_PAGES)
    client.post("/logout", data={"csrf_token": token})

    token = sign_in(client, "clerk")
    home = client.get("/").get_data(as_text=True)
    assert [page for page in ADMIN_PAGES if f'href="{page}"' in home] == []
    for page in [*ADMIN_PAGES, "/admin/mail/1", "/admin/mail/templates/1/preview", "/admin/webhooks/1"]:
        assert client.get(page).status_code == 403, page
    for action in ["/admin/jobs/jobs_demo.echo/run", "/admin/jobs/runs/1/retry", "/admin/webhooks/1/enable"]:
        assert client.post(action, data={"csrf_token": token}).status_code == 403, action
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0  # nothing was queued
