"""Who sees what, and what the audit trail keeps (Checks that must hold, second bullet)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.audit import AuditEntry
from core.records.errors import AccessDenied, NotFound

from addons.sales.analytics import pipeline_totals
from core.testing.web import sign_in
from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def deals(world):
    records = Env.system().records
    made = {}
    for name, owner, amount, stage in (("Alice big", world.alice, "1000", "proposal"),
                                       ("Alice small", world.alice, "300", "proposal"),
                                       ("Bob deal", world.bob, "5000", "proposal"),
                                       ("Bob late", world.bob, "7000", "negotiation")):
        made[name] = records.create("opportunities", {
            "name": name, "account_id": world.account.id, "amount": amount, "stage_id": stage_id(stage),
            "owner_id": owner.id, "team_id": world.team.id})
    db.session.commit()
    return made


def _column(html: str, title: str) -> dict[str, str]:
    section = re.search(rf'<section class="column"[^>]*aria-label="{title}">(.*?)</section>', html, re.S).group(1)
    sums = dict(re.findall(r'data-sum="(\w+)">([\d,]+)<', section))
    return {"count": re.search(r'class="count">(\d+)<', section).group(1), **sums}


def test_a_salesperson_sees_only_their_own_column_sums_on_the_board(world, deals, client):
    sign_in(client, "alice")
    html = client.get("/m/opportunities/kanban").get_data(as_text=True)
    assert _column(html, "Proposal") == {"count": "2", "amount_company": "1,300", "weighted_amount": "650"}
    assert _column(html, "Negotiation") == {"count": "0", "amount_company": "0", "weighted_amount": "0"}
    assert "Bob deal" not in html and "Alice big" in html


def test_the_manager_sees_the_whole_team_on_the_board(world, deals, client):
    sign_in(client, "mia")
    html = client.get("/m/opportunities/kanban").get_data(as_text=True)
    assert _column(html, "Proposal") == {"count": "3", "amount_company": "6,300", "weighted_amount": "3,150"}
    assert _column(html, "Negotiation") == {"count": "1", "amount_company": "7,000", "weighted_amount": "5,250"}


def test_the_same_restriction_holds_through_the_api(world, deals, api_as):
    api = api_as(world.alice)
    listed = api.get("/api/v1/opportunities?total=true").json
    assert sorted(row["name"] for row in listed["data"]) == ["Alice big", "Alice small"]
    assert listed["total"] == {"value": 2, "exact": True}
    figures = api.get("/api/v1/_sales/pipeline").json
    assert (figures["deals"], figures["open"], figures["weighted"]) == (2, "1300.00", "650.00")
    proposal = next(row for row in figures["stages"] if row["stage"] == "Proposal")
    assert (proposal["deals"], proposal["amount"]) == (2, "1300.00")
    assert api.get(f"/api/v1/opportunities/{deals['Bob deal'].id}").status_code == 404
    assert pipeline_totals(Env.for_user(world.bob))["open"] == Decimal("12000.00")


def test_a_salesperson_cannot_give_a_deal_away_nor_touch_another_owners(world, deals):
    records = Env.for_user(world.alice).records
    with pytest.raises(AccessDenied):
        records.update("opportunities", deals["Alice big"].id, {"owner_id": world.bob.id})
    db.session.rollback()
    with pytest.raises(NotFound):
        records.update("opportunities", deals["Bob deal"].id, {"amount": "1"})


def test_a_manager_of_another_team_sees_none_of_these(world, deals, make_user):
    other = make_user("oscar", roles=["sales.manager"])
    Env.system().records.create("sales_teams", {"name": "Other", "leader_id": other.id})
    db.session.commit()
    assert pipeline_totals(Env.for_user(other))["deals"] == 0
    director = make_user("dora", roles=["sales.director"])
    assert pipeline_totals(Env.for_user(director))["deals"] == 4


def test_changing_the_close_date_or_amount_writes_audit_entries(world, deals, clock):
    deal = deals["Alice big"]
    records = Env.for_user(world.alice).records
    records.update("opportunities", deal.id, {"close_date": "2026-02-15"})
    records.update("opportunities", deal.id, {"amount": "1500"}, version=deal.version)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.model == "opportunities", AuditEntry.record_id == deal.id, AuditEntry.action == "update")
        .order_by(AuditEntry.id)).all()
    changed = [(e.field, e.old_value, e.new_value, e.user_id) for e in entries]
    assert ("close_date", None, "2026-02-15", world.alice.id) in changed
    assert ("amount", "1000.00", "1500", world.alice.id) in changed
    weighted = [(old, new) for field, old, new, _ in changed if field == "weighted_amount"]
    assert [(Decimal(old), Decimal(new)) for old, new in weighted] == [(Decimal(500), Decimal(750))]
