"""Officers issue and void receipts and statements from the API, the back office and the
year-end command; numbers run on without gaps and a void one is never given again; who
only reads donations issues nothing."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.testing.web import sign_in

from addons.membership.cli import membership_group

pytestmark = pytest.mark.spectrum_addons("membership")


@pytest.fixture
def gifts(app: Flask) -> dict[str, Any]:
    """Ada gave 100 and 150 in 2026 (tax-deductible) and 40 not deductible; Bob 30 in
    2026; Cy gave in 2025 only."""
    env = Env.system()
    fund = env.records.create("funds", {"name": "General"})
    people = {name: env.records.create("contacts", {"first_name": name, "last_name": "Giver",
                                                    "email": f"{name.lower()}@example.com"}).id
              for name in ("Ada", "Bob", "Cy")}
    donations = {}
    for key, name, amount, day, deductible in (("ada_1", "Ada", "100", date(2026, 2, 1), True),
                                                ("ada_2", "Ada", "150", date(2026, 9, 1), True),
                                                ("ada_3", "Ada", "40", date(2026, 10, 1), False),
                                                ("bob", "Bob", "30", date(2026, 5, 1), True),
                                                ("cy", "Cy", "80", date(2025, 5, 1), True)):
        donations[key] = env.records.create("donations", {
            "contact_id": people[name], "fund_id": fund.id, "amount": amount, "received_on": day,
            "tax_deductible": deductible}).id
    db.session.commit()
    return {**people, **donations}


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("olga", roles=["membership.officer"])


def test_receipts_are_issued_voided_and_never_renumbered(gifts: dict[str, Any], officer: Any, api_as: Any,
                                                        make_user: Any) -> None:
    api = api_as(officer)
    first = api.post(f"/api/v1/donations/{gifts['ada_1']}/receipt")
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["number"] == 1
    twice = api.post(f"/api/v1/donations/{gifts['ada_1']}/receipt")
    assert twice.status_code == 422 and "covers this donation" in str(twice.get_json()["errors"])
    not_deductible = api.post(f"/api/v1/donations/{gifts['ada_3']}/receipt")
    assert not_deductible.status_code == 422
    nameless = api.post(f"/api/v1/receipts/{first.get_json()['receipt_id']}/void", json={})
    assert nameless.status_code == 422 and "reason" in nameless.get_json()["errors"]
    voided = api.post(f"/api/v1/receipts/{first.get_json()['receipt_id']}/void", json={"reason": "Wrong amount"})
    assert voided.get_json()["status"] == "void"
    again = api.post(f"/api/v1/donations/{gifts['ada_1']}/receipt")
    assert again.get_json()["number"] == 2, "the void receipt's number is not given again"

    reader = api_as(make_user("rita", roles=["contacts.user"]))
    assert reader.post(f"/api/v1/donations/{gifts['bob']}/receipt").status_code == 403
    assert reader.post(f"/api/v1/contacts/{gifts['Bob']}/statement", json={"year": 2026}).status_code == 403


def test_a_donors_statement_of_the_year(gifts: dict[str, Any], officer: Any, api_as: Any) -> None:
    api = api_as(officer)
    statement = api.post(f"/api/v1/contacts/{gifts['Ada']}/statement", json={"year": 2026})
    assert statement.status_code == 200, statement.get_json()
    receipt = Env.system().records.get("receipts", statement.get_json()["receipt_id"])
    assert (receipt.kind, receipt.year, receipt.amount) == ("statement", 2026, 250)
    twice = api.post(f"/api/v1/contacts/{gifts['Ada']}/statement", json={"year": 2026})
    assert twice.status_code == 422 and "covers 2026" in str(twice.get_json()["errors"])
    nothing = api.post(f"/api/v1/contacts/{gifts['Cy']}/statement", json={"year": 2026})
    assert nothing.status_code == 422 and "No tax-deductible gifts" in str(nothing.get_json()["errors"])
    wrong = api.post(f"/api/v1/contacts/{gifts['Ada']}/statement", json={"year": "last"})
    assert wrong.status_code == 422 and "year" in wrong.get_json()["errors"]


def test_the_year_end_run_issues_each_missing_statement_once(app: Flask, gifts: dict[str, Any],
                                                             smtp_server: Any) -> None:
    smtp_server.configure(app)
    runner = app.test_cli_runner()
    result = runner.invoke(membership_group, ["statements", "2026", "--email"])
    assert result.exit_code == 0, result.output
    assert "summary: 2 statement(s) of 2026 issued, 2 mailed, 0 problem(s)" in result.output
    Worker(app).run_once()
    assert sorted(message.rcpt_tos[0] for message in smtp_server.messages) == ["ada@example.com", "bob@example.com"]
    again = runner.invoke(membership_group, ["statements", "2026"])
    assert "summary: 0 statement(s) of 2026 issued, 0 problem(s)" in again.output


def test_the_back_office_issues_and_voids_a_receipt(client: Any, gifts: dict[str, Any], officer: Any) -> None:
    token = sign_in(client, "olga")
    page = client.get(f"/m/donations/{gifts['bob']}").get_data(as_text=True)
    assert "Issue receipt" in page and "No receipt yet." in page
    issued = client.post(f"/membership/donations/{gifts['bob']}/receipt", data={"csrf_token": token})
    assert issued.status_code == 303 and issued.headers["Location"].startswith("/m/receipts/")
    receipt_page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "Receipt no. 1 issued." in receipt_page and "Why is it void?" in receipt_page
    assert "Issue receipt" not in client.get(f"/m/donations/{gifts['bob']}").get_data(as_text=True)
    receipt_id = int(issued.headers["Location"].rsplit("/", 1)[1])
    empty = client.post(f"/membership/receipts/{receipt_id}/void", data={"csrf_token": token, "reason": " "},
                        follow_redirects=True)
    assert "Say why the receipt is void." in empty.get_data(as_text=True)
    client.post(f"/membership/receipts/{receipt_id}/void", data={"csrf_token": token, "reason": "Duplicate"})
    db.session.rollback()
    receipt = Env.system().records.get("receipts", receipt_id)
    assert (receipt.status, receipt.void_reason) == ("void", "Duplicate")
    assert "Issue receipt" in client.get(f"/m/donations/{gifts['bob']}").get_data(as_text=True)
