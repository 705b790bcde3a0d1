"""The pipeline board in a real headless Chromium: a salesperson signs in, drags a card to
another stage, moves another with the keyboard control, and the database and the
column counts and sums follow (only their own deals are counted)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in_browser

from addons.sales.tests.conftest import stage_id

pytestmark = [pytest.mark.spectrum_addons("sales"), pytest.mark.browser]

@pytest.fixture
def board(world):
    records = Env.system().records
    made = {}
    for name, owner, amount, currency, stage in (
            ("Usd deal", world.alice, "10000", "USD", "negotiation"),
            ("Eur deal", world.alice, "20000", "EUR", "proposal"),
            ("Bob deal", world.bob, "90000", "USD", "proposal")):
        made[name] = records.create("opportunities", {
            "name": name, "account_id": world.account.id, "amount": amount, "currency": currency,
            "stage_id": stage_id(stage), "owner_id": owner.id, "team_id": world.team.id})
    db.session.commit()
    return made


def _column(page, title: str) -> tuple[str, str, str]:
    """(count, amount, weighted amount) shown at the head of a column."""
    head = page.locator(f"section.column[aria-label='{title}'] header .totals")
    return (head.locator(".count").inner_text(), head.locator("[data-sum=amount_company]").inner_text(),
            head.locator("[data-sum=weighted_amount]").inner_text())


def _wait_count(page, title: str, count: int) -> None:
    expect(page.locator(f"section.column[aria-label='{title}'] .count")).to_have_text(str(count))


def _stored(deal_id: int) -> tuple[int, Decimal, Decimal]:
    db.session.rollback()  # see what the server committed
    deal = Env.system().records.get("opportunities", deal_id)
    return deal.stage_id, deal.probability, deal.weighted_amount


def test_drag_a_card_and_move_one_by_keyboard_on_the_pipeline_board(live_server, page, world, board):
    sign_in_browser(page, live_server, "alice")
    page.goto(f"{live_server}/m/opportunities/kanban")
    assert _column(page, "Negotiation") == ("1", "10,000", "7,500")
    assert _column(page, "Proposal") == ("1", "22,000", "11,000")  # Bob's deal is not hers: not counted
    assert page.locator(".kcard a", has_text="Bob deal").count() == 0

    usd = board["Usd deal"]
    page.drag_and_drop(f".kcard[data-id='{usd.id}']", "section.column[aria-label='Proposal']")
    _wait_count(page, "Proposal", 2)
    assert _column(page, "Proposal") == ("2", "32,000", "16,000")
    assert _column(page, "Negotiation") == ("0", "0", "0")
    assert _stored(usd.id) == (stage_id("proposal"), Decimal(50), Decimal(5000))

    eur = board["Eur deal"]
    step = page.get_by_role("button", name="Move Eur deal to Negotiation")  # the keyboard control
    step.focus()
    step.press("Enter")
    _wait_count(page, "Negotiation", 1)
    assert _column(page, "Negotiation") == ("1", "22,000", "16,500")
    assert _column(page, "Proposal") == ("1", "10,000", "5,000")
    assert _stored(eur.id) == (stage_id("negotiation"), Decimal(75), Decimal(16500))
    assert page.locator(f"section.column[aria-label='Negotiation'] .kcard[data-id='{eur.id}']").count() == 1


def test_the_board_keeps_its_search_and_shows_amounts_with_their_currency_after_a_move(live_server, page, world,
                                                                                     board):
    sign_in_browser(page, live_server, "alice")
    page.goto(f"{live_server}/m/opportunities/kanban?q=Eur")
    expect(page.locator(".kcard > a")).to_have_text(["Eur deal"])
    card = page.locator(f".kcard[data-id='{board['Eur deal'].id}']")
    expect(card).to_contain_text("20,000.00 EUR")
    page.drag_and_drop(f".kcard[data-id='{board['Eur deal'].id}']", "section.column[aria-label='Negotiation']")
    _wait_count(page, "Negotiation", 1)
    expect(page.locator(".kcard > a")).to_have_text(["Eur deal"]), "the other deal stays filtered out"
    assert page.locator("#q").input_value() == "Eur"
    assert page.locator(".kcard select").count() == 0, "no dropdown on the cards"


def test_quick_create_a_deal_in_a_column_with_its_account(live_server, page, world, board):
    Env.system().records.create("accounts", {"name": "Globex Industries"})
    db.session.commit()
    sign_in_browser(page, live_server, "alice")
    page.goto(f"{live_server}/m/opportunities/kanban")
    column = page.locator("section.column[aria-label='Qualified']")
    column.locator("input[name=q]").fill("Globex")
    # Every account is listed at first; typing narrows the list to Globex alone.
    expect(column.locator("select[name=qc_account_id] option")).to_have_text(["Globex Industries"])
    column.locator("input[name=name]").fill("Globex pilot")
    column.locator("input[name=name]").press("Enter")
    _wait_count(page, "Qualified", 1)
    assert page.locator("section.column[aria-label='Qualified'] .kcard > a").all_inner_texts() == ["Globex pilot"]
    db.session.rollback()
    [deal] = Env.system().records.search("opportunities", [["name", "=", "Globex pilot"]]).records
    assert (deal.account.name, deal.stage_id, deal.owner_id, deal.probability) == (
        "Globex Industries", stage_id("qualified"), world.alice.id, Decimal(25))


def test_a_move_of_a_card_someone_else_changed_meanwhile_is_refused_with_the_reason(live_server, page, world,
                                                                                   board):
    sign_in_browser(page, live_server, "alice")
    page.goto(f"{live_server}/m/opportunities/kanban")
    usd = board["Usd deal"]
    Env.system().records.update("opportunities", usd.id, {"name": "Usd deal (renamed)"})  # after she loaded the board
    db.session.commit()
    page.drag_and_drop(f".kcard[data-id='{usd.id}']", "section.column[aria-label='Proposal']")
    alert = page.locator("p.flash.error[role=alert]")
    alert.wait_for()
    assert "was changed by someone else" in alert.inner_text()
    assert _column(page, "Negotiation") == ("1", "10,000", "7,500"), "the card stays where it was"
    assert _stored(usd.id)[0] == stage_id("negotiation")
    assert page.locator("section.column[aria-label='Negotiation'] .kcard a", has_text="renamed").count() == 1
