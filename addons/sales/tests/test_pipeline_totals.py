"""Pipeline totals kept by the database (core.summaries, declared by the sales addon):
exact after every kind of write, read by the board when the user's rules allow it, and
rebuilt on upgrade."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from core.addons.installer import AddonManager
from core.db import db
from core.declarations import Summary
from core.env import Env
from core.records.grouping import group_by
from core.summaries import SummaryError, build_totals
from core.testing.sql import sent_statements

from addons.sales.models import Opportunity
from addons.sales.tests.conftest import lost_reason_id, stage_id

pytestmark = pytest.mark.spectrum_addons("sales")

GROUPS = "stage_id, status, owner_id, team_id"


def _kept() -> dict:
    """The totals table, without groups that emptied."""
    rows = db.session.execute(text(f"SELECT {GROUPS}, record_count, amount_company, weighted_amount "
                                   "FROM opportunity_totals WHERE record_count <> 0")).all()
    return {tuple(row[:4]): (row[4], Decimal(str(row[5])).normalize(), Decimal(str(row[6])).normalize())
            for row in rows}


def _counted() -> dict:
    """The same totals counted from the opportunities themselves."""
    rows = db.session.execute(text(
        f"SELECT {GROUPS}, count(*), coalesce(sum(amount_company), 0), coalesce(sum(weighted_amount), 0) "
        f"FROM opportunities GROUP BY {GROUPS}")).all()
    return {tuple(row[:4]): (row[4], Decimal(str(row[5])).normalize(), Decimal(str(row[6])).normalize())
            for row in rows}


def _kept_monthly() -> dict:
    """The monthly totals table, without groups that emptied."""
    rows = db.session.execute(text(f"SELECT {GROUPS}, close_date_month, record_count, amount_company "
                                   "FROM opportunity_month_totals WHERE record_count <> 0")).all()
    return {(*row[:4], str(row[4])[:10] if row[4] is not None else None): (row[5], Decimal(str(row[6])).normalize())
            for row in rows}


def _counted_monthly() -> dict:
    """The same counted from the opportunities, their month found in Python."""
    found: dict = {}
    for row in db.session.execute(text(f"SELECT {GROUPS}, close_date, amount_company FROM opportunities")):
        month = None if row[4] is None else str(row[4])[:8] + "01"
        count, total = found.get((*row[:4], month), (0, Decimal(0)))
        found[(*row[:4], month)] = (count + 1, (total + Decimal(str(row[5] or 0))).normalize())
    return found


def _deal(world, name: str, amount: str, stage: str, owner, **values):
    return Env.system().records.create("opportunities", {
        "name": name, "account_id": world.account.id, "amount": amount, "stage_id": stage_id(stage),
        "team_id": world.team.id, "owner_id": owner.id, **values})


def test_totals_stay_exact_through_service_batch_cascade_and_raw_writes(world):
    records = Env.system().records
    first = _deal(world, "One", "1000", "new", world.alice, close_date="2026-03-31")
    second = _deal(world, "Two", "2500.50", "proposal", world.bob, currency="EUR")
    db.session.commit()
    assert _kept() == _counted() and sum(count for count, _a, _w in _kept().values()) == 2
    assert _kept_monthly() == _counted_monthly()
    records.create_many("opportunities", [
        {"name": f"Batch {i}", "account_id": world.account.id, "amount": str(100 * i), "close_date": f"2026-0{i}-15",
         "stage_id": stage_id("qualified"), "team_id": world.team.id, "owner_id": world.carol.id} for i in range(1, 8)])
    assert _kept_monthly() == _counted_monthly()
    records.update("opportunities", first.id, {"stage_id": stage_id("negotiation"), "amount": "1200",
                                               "close_date": "2026-04-01"})
    records.update("opportunities", second.id, {"stage_id": stage_id("lost"), "lost_reason_id": lost_reason_id()})
    records.update("opportunities", first.id, {"name": "Renamed: no total changes"})
    db.session.commit()
    kept = _kept()
    assert kept == _counted()
    qualified = kept[(stage_id("qualified"), "open", world.carol.id, world.team.id)]
    assert qualified[:2] == (7, Decimal("2800"))
    records.delete("opportunities", first.id)
    # A cascade the records service never sees: the owner's account is deleted, the
    # database sets owner_id to NULL on their deals.
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": world.carol.id})
    # A migration-like write straight in SQL.
    db.session.execute(text("UPDATE opportunities SET amount_company = amount_company * 2 WHERE name = 'Batch 1'"))
    db.session.commit()
    kept = _kept()
    assert kept == _counted()
    assert kept[(stage_id("qualified"), "open", None, world.team.id)][:2] == (7, Decimal("2900"))
    monthly = _kept_monthly()
    assert monthly == _counted_monthly() and len(monthly) == 8  # seven months of Batch, and Two undated
    assert monthly[(stage_id("qualified"), "open", None, world.team.id, "2026-01-01")] == (1, Decimal("200"))
    assert (stage_id("negotiation"), "open", world.alice.id, world.team.id) not in kept


def test_a_failed_write_leaves_the_totals_as_they_were(world):
    _deal(world, "Kept", "1000", "new", world.alice)
    db.session.commit()
    before = _kept()
    _deal(world, "Rolled back", "5000", "new", world.alice)
    db.session.rollback()
    assert _kept() == before == _counted()


def test_the_board_reads_the_totals_when_the_rules_allow_and_the_records_otherwise(world, make_user):
    director = make_user("dora", roles=["sales.director"])
    _deal(world, "A", "1000", "new", world.alice)
    _deal(world, "B", "3000", "new", world.bob)
    _deal(world, "C", "500", "proposal", world.alice)
    db.session.commit()
    answers, from_totals = {}, {}
    cases = {
        # No rule: the totals answer, filtered on a grouped field.
        "director": (director, [["status", "=", "open"]], None),
        # "Own opportunities" reads owner_id, a grouped field: the totals answer.
        "alice": (world.alice, None, None),
        # "Opportunities of my teams" reaches through the team's members (a relation), a
        # filter on the account and a search read what the totals do not keep: the records
        # are grouped instead, with the same shape of answer.
        "manager": (world.manager, None, None),
        "account": (director, [["account_id", "=", world.account.id]], None),
        "search": (director, None, "B"),
    }
    for name, (user, domain, search) in cases.items():
        with sent_statements() as seen:
            groups = group_by(Env.for_user(user).records, "opportunities", "stage_id", domain,
                              sums=["amount_company"], search=search)
        answers[name] = [(g.value, g.count, g.sums["amount_company"]) for g in groups]
        from_totals[name] = any("opportunity_totals" in statement for statement in seen)
    assert from_totals == {"director": True, "alice": True, "manager": False, "account": False, "search": False}
    everything = [(stage_id("new"), 2, Decimal("4000")), (stage_id("proposal"), 1, Decimal("500"))]
    assert answers["director"] == answers["manager"] == answers["account"] == everything
    assert answers["alice"] == [(stage_id("new"), 1, Decimal("1000")), (stage_id("proposal"), 1, Decimal("500"))]
    assert answers["search"] == [(stage_id("new"), 1, Decimal("3000"))]


def test_an_upgrade_rebuilds_totals_that_drifted(app, world):
    _deal(world, "A", "1000", "new", world.alice)
    db.session.commit()
    db.session.execute(text("UPDATE opportunity_totals SET record_count = 99"))
    db.session.commit()
    assert _kept() != _counted()
    AddonManager(app).upgrade(["sales"])
    assert _kept() == _counted()


def test_a_summary_that_cannot_be_kept_is_refused_by_name():
    with pytest.raises(SummaryError) as unknown:
        build_totals("acme", Summary("opportunities", "acme_totals", ("stagee_id",)), Opportunity)
    assert str(unknown.value) == ("addon 'acme': summary 'acme_totals' of 'opportunities': 'stagee_id' is not a column "
                                  "of 'opportunities' that can be totalled")
    with pytest.raises(SummaryError) as text_sum:
        build_totals("acme", Summary("opportunities", "acme_totals", ("stage_id",), ("name",)), Opportunity)
    assert str(text_sum.value).endswith("'name' is not numeric and cannot be summed")
    with pytest.raises(SummaryError):
        build_totals("acme", Summary("opportunities", "Acme Totals", ("stage_id",)), Opportunity)
    with pytest.raises(SummaryError) as not_a_date:
        build_totals("acme", Summary("opportunities", "acme_totals", ("stage_id",), months=("name",)), Opportunity)
    assert str(not_a_date.value).endswith("months: 'name' is not a date or datetime column of 'opportunities'")


def test_uninstalling_sales_drops_its_totals_and_their_triggers(app, world):
    manager = AddonManager(app)
    manager.uninstall(manager.plan_uninstall(["sales"]))
    names = ("opportunity_totals", "opportunity_month_totals", "lead_totals")
    if db.session.get_bind().dialect.name == "postgresql":
        left = db.session.execute(text(
            "SELECT relname FROM pg_class WHERE relname = ANY(:names) UNION ALL "
            "SELECT proname FROM pg_proc WHERE proname LIKE '%\\_totals\\_apply' UNION ALL "
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE '%\\_totals\\_%'"), {"names": list(names)}).all()
    else:
        left = db.session.execute(text(
            "SELECT name FROM sqlite_master WHERE name IN ('opportunity_totals', 'opportunity_month_totals', "
            "'lead_totals') "
            "OR (type = 'trigger' AND name LIKE '%totals%')")).all()
    assert left == []
