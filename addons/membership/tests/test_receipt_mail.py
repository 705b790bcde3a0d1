"""A tax receipt emailed to its donor arrives with its PDF attached (through a real SMTP
server), never to a donor who withdrew email consent, and never for a void receipt."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.consent import record_consent
from core.records.errors import ValidationFailed
from core.testing.web import csrf_token, sign_in

from addons.membership.receipt_mail import email_receipt
from addons.membership.receipts import issue_receipt, void_receipt

pytestmark = pytest.mark.spectrum_addons("membership")


@pytest.fixture
def outbox(app: Flask, smtp_server: Any) -> Any:
    """A real SMTP server the app sends through."""
    smtp_server.configure(app)
    return smtp_server


def _receipt(email: str | None) -> int:
    env = Env.system()
    donor = env.records.create("contacts", {"first_name": "Ada", "last_name": "Giver", "email": email})
    fund = env.records.create("funds", {"name": f"General {email}"})
    donation = env.records.create("donations", {"contact_id": donor.id, "fund_id": fund.id, "amount": "250",
                                                "received_on": date(2026, 4, 2)})
    receipt = issue_receipt(env, donation.id)
    db.session.commit()
    return receipt.id


def test_the_donor_receives_the_receipt_pdf(app: Flask, outbox: Any, admin: Any, api_as: Any) -> None:
    receipt_id = _receipt("ada@example.com")
    answer = api_as(admin).post(f"/api/v1/receipts/{receipt_id}/email")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "queued"
    Worker(app).run_once()
    [received] = outbox.messages
    assert received.rcpt_tos == ["ada@example.com"]
    assert received.message["Subject"] == "Your tax receipt no. 1"
    assert "250.00 EUR" in received.message.get_body(("plain",)).get_content()
    [pdf] = list(received.message.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content_type()) == ("receipt-1.pdf", "application/pdf")
    assert pdf.get_content().startswith(b"%PDF-")
    files = api_as(admin).get("/api/v1/attachments?filter=" + '[["model","=","receipts"]]').get_json()["data"]
    assert [file["filename"] for file in files] == ["receipt-1.pdf"], "the PDF is kept with the receipt"


def test_no_receipt_goes_to_a_donor_who_withdrew_consent(app: Flask, outbox: Any) -> None:
    receipt_id = _receipt("quiet@example.com")
    record_consent("quiet@example.com", "email", "withdrawn")
    message = email_receipt(Env.system(), receipt_id)
    db.session.commit()
    Worker(app).run_once()
    assert message.status == "suppressed"
    assert outbox.messages == []


def test_a_void_receipt_or_a_donor_without_email_is_refused(app: Flask, admin: Any, api_as: Any) -> None:
    void = _receipt("ada@example.com")
    void_receipt(Env.system(), void, "Wrong amount")
    db.session.commit()
    refused = api_as(admin).post(f"/api/v1/receipts/{void}/email")
    assert refused.status_code == 422 and "status" in refused.get_json()["errors"]
    with pytest.raises(ValidationFailed) as no_email:
        email_receipt(Env.system(), _receipt(None))
    assert "contact_id" in no_email.value.errors


def test_the_receipt_page_mails_it_with_its_button_and_lists_the_sendings(app: Flask, outbox: Any, admin: Any,
                                                                          client: Any) -> None:
    receipt_id = _receipt("ada@example.com")
    sign_in(client, admin.login)
    page = client.get(f"/m/receipts/{receipt_id}").get_data(as_text=True)
    assert "Email to the donor" in page and "Not mailed yet" in page
    done = client.post(f"/membership/receipts/{receipt_id}/email", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Receipt mailed to ada@example.com." in done
    assert "ada@example.com</a>" in done and "queued" in done
    Worker(app).run_once()
    [received] = outbox.messages
    assert [part.get_filename() for part in received.message.iter_attachments()] == ["receipt-1.pdf"]


def test_the_button_says_why_a_void_receipt_is_not_mailed(app: Flask, admin: Any, client: Any) -> None:
    receipt_id = _receipt("ada@example.com")
    void_receipt(Env.system(), receipt_id, "Wrong amount")
    db.session.commit()
    sign_in(client, admin.login)
    page = client.get(f"/m/receipts/{receipt_id}").get_data(as_text=True)
    assert "Email to the donor" not in page
    refused = client.post(f"/membership/receipts/{receipt_id}/email", data={"csrf_token": csrf_token(page)},
                          follow_redirects=True).get_data(as_text=True)
    assert "is void: issue another one to send." in refused
