"""KPI digests: a user subscribes to KPIs (only theirs visible to them, bad input a 422),
and the digest job mails them, through a real SMTP server, the figures of the period just
ended computed as them, once per period however often it runs."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue, execute
from core.testing.web import sign_in

from addons.analytics.digests import DIGEST_JOB, due_period
from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("analytics", "sales")

SALES = ("sales.salesperson", "analytics.user")


@pytest.fixture
def outbox(app: Any, smtp_server: Any) -> Any:
    """A real SMTP server the app sends through."""
    smtp_server.configure(app)
    return smtp_server


@pytest.fixture
def people(app: Any, make_user: Any) -> dict[str, Any]:
    """Sam and Sue, salespeople, each with a deal won in November 2026."""
    sam, sue = make_user("sam", roles=SALES), make_user("sue", roles=SALES)
    records = Env.system().records
    account = records.create("accounts", {"name": "Acme"}).id
    for owner, amount, day in ((sam, "1200", "2026-11-10"), (sue, "5000", "2026-11-12"), (sam, "800", "2026-10-02")):
        records.create("opportunities", {"name": f"Deal {amount}", "account_id": account, "amount": amount,
                                         "stage_id": stage_id("won"), "owner_id": owner.id, "opened_on": "2026-09-01",
                                         "closed_on": day})
    db.session.commit()
    return {"sam": sam, "sue": sue}


def _run(clock: Any, day: date) -> dict[str, Any]:
    """The digest job run on `day`, then the mail it queued sent."""
    clock.set(datetime(day.year, day.month, day.day, 7, tzinfo=timezone.utc))
    finished = execute(enqueue(DIGEST_JOB).id)
    assert finished is not None and finished.status == "succeeded", finished and finished.error
    for run_id in list(db.session.scalars(select(JobRun.id).where(JobRun.name == "mail.send",
                                                                  JobRun.status == "queued"))):
        sent = execute(run_id)
        assert sent is not None and sent.status == "succeeded", sent and sent.error
    return finished.result


def test_the_due_period_is_the_one_just_ended() -> None:
    assert due_period("monthly", date(2026, 12, 1)).key == "2026-11"
    assert due_period("monthly", date(2026, 12, 31)).key == "2026-11"
    assert due_period("weekly", date(2026, 12, 7)).key == "2026-W49"


def test_the_digest_is_sent_once_per_period_with_the_readers_figures(people: dict[str, Any], outbox: Any,
                                                                      clock: Any, api_as: Any) -> None:
    for login in ("sam", "sue"):
        created = api_as(people[login]).post("/api/v1/analytics_kpi_subscriptions", json={
            "kpis": ["sales.won_revenue", "sales.average_deal"], "frequency": "monthly"})
        assert created.status_code == 201, created.get_json()
    assert _run(clock, date(2026, 12, 1)) == {"sent": 2, "already_sent": 0}
    assert _run(clock, date(2026, 12, 1)) == {"sent": 0, "already_sent": 2}
    assert _run(clock, date(2026, 12, 20)) == {"sent": 0, "already_sent": 2}
    mails = {mail.rcpt_tos[0]: mail.message for mail in outbox.messages}
    assert sorted(mails) == ["sam@example.com", "sue@example.com"]
    assert mails["sam@example.com"]["Subject"] == "KPI digest: 2026-11"
    body = mails["sam@example.com"].get_body(("plain",)).get_content()
    assert "Won revenue: 1,200 " in body and "+400 (+50 %) from 2026-10" in body
    assert "5,000" not in body and "Won revenue: 5,000" in mails["sue@example.com"].get_body(("plain",)).get_content()
    assert "Sales cycle" not in body
    assert _run(clock, date(2027, 1, 1)) == {"sent": 2, "already_sent": 0}
    assert len(outbox.messages) == 4 and outbox.messages[-1].message["Subject"] == "KPI digest: 2026-12"


def test_a_user_who_chose_french_gets_the_digest_in_french(people: dict[str, Any], outbox: Any, clock: Any,
                                                             api_as: Any) -> None:
    Env.system().records.update("users", people["sam"].id, {"locale": "fr"})
    db.session.commit()
    created = api_as(people["sam"]).post("/api/v1/analytics_kpi_subscriptions", json={
        "kpis": ["sales.won_revenue"], "frequency": "monthly"})
    assert created.status_code == 201, created.get_json()
    assert _run(clock, date(2026, 12, 1)) == {"sent": 1, "already_sent": 0}
    [mail] = outbox.messages
    assert mail.message["Subject"] == "Indicateurs : 2026-11"
    body = mail.message.get_body(("plain",)).get_content()
    assert "Vos indicateurs pour 2026-11 (01/11/2026 au 30/11/2026)" in body, body
    assert "Chiffre d'affaires gagné : 1\u202f200 " in body or "Chiffre d'affaires gagné : 1 200 " in body, body


def test_a_user_sees_only_their_subscriptions_and_bad_input_is_a_422(people: dict[str, Any], api_as: Any) -> None:
    sam, sue = api_as(people["sam"]), api_as(people["sue"])
    mine = sam.post("/api/v1/analytics_kpi_subscriptions", json={"kpis": ["sales.win_rate"], "frequency": "weekly"})
    assert mine.status_code == 201 and mine.get_json()["user_id"] == people["sam"].id
    assert [row["id"] for row in sam.get("/api/v1/analytics_kpi_subscriptions").get_json()["data"]] == [
        mine.get_json()["id"]]
    assert sue.get("/api/v1/analytics_kpi_subscriptions").get_json()["data"] == []
    assert sue.get(f"/api/v1/analytics_kpi_subscriptions/{mine.get_json()['id']}").status_code == 404
    for_sue = sam.post("/api/v1/analytics_kpi_subscriptions", json={"kpis": ["sales.win_rate"], "frequency": "weekly",
                                                                    "user_id": people["sue"].id})
    assert for_sue.status_code in (403, 422), for_sue.get_json()
    for body, field in (({"kpis": ["sales.nothing"], "frequency": "weekly"}, "kpis"),
                        ({"kpis": [], "frequency": "weekly"}, "kpis"),
                        ({"kpis": "sales.win_rate", "frequency": "weekly"}, "kpis"),
                        ({"kpis": ["sales.win_rate"], "frequency": "daily"}, "frequency")):
        refused = sam.post("/api/v1/analytics_kpi_subscriptions", json=body)
        assert refused.status_code == 422, (body, refused.get_json())
        assert field in str(refused.get_json()), refused.get_json()


def test_the_kpi_page_subscribes_the_reader_to_the_ticked_kpis(people: dict[str, Any], client: Any) -> None:
    token = sign_in(client, "sam")
    page = client.get("/analytics/kpis").get_data(as_text=True)
    assert 'name="kpi" value="sales.won_revenue"' in page and 'id="kpi-digest"' in page
    refused = client.post("/analytics/kpis/digest", data={"csrf_token": token, "frequency": "weekly",
                                                          "period": "week"})
    assert refused.status_code == 422
    assert 'data-field="kpis"' in refused.get_data(as_text=True)
    saved = client.post("/analytics/kpis/digest", data={"csrf_token": token, "frequency": "weekly", "period": "week",
                                                        "kpi": ["sales.won_revenue", "sales.win_rate"]})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/analytics/kpis?period=week")
    [digest] = Env.for_user(people["sam"]).records.search("analytics_kpi_subscriptions").records
    assert (digest.user_id, digest.kpis, digest.frequency) == (people["sam"].id, ["sales.won_revenue", "sales.win_rate"],
                                                               "weekly")
