"""The addon as a whole: what it contributes, its demo data, its import mapping, its uninstall."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import inspect, select

from core.addons.installer import AddonManager
from core.addons.state import ExternalId
from core.auth.models import Role
from core.db import db
from core.env import Env
from core.platform import platform
from core.records.csv_io import import_csv

pytestmark = pytest.mark.spectrum_addons("spectrum_loyalty")


def test_the_addon_contributes_its_views_menu_action_and_mapping(app):
    loaded = platform(app)
    assert loaded.loaded == ["base", "contacts", "spectrum_loyalty"]
    assert loaded.view("loyalty_cards", "list").fields == ["number", "contact_id", "tier", "points", "enrolled_on",
                                                           "active"]
    assert sorted(loaded.view("loyalty_cards", "search").options["filters"]) == ["Active", "Gold members",
                                                                                  "My customers"]
    menu = next(item for item in loaded.menus if item.key == "spectrum_loyalty.cards")
    assert (menu.model, menu.parent) == ("loyalty_cards", "contacts.root")
    assert loaded.actions[("loyalty_cards", "redeem")].operation == "update"
    assert loaded.import_mappings["loyalty_cards"].key == "number"


def test_cards_import_from_a_loyalty_export_and_upsert_by_number(app, make_contact):
    first, second = make_contact("Durand"), make_contact("Martin")
    mapping = platform(app).import_mappings["loyalty_cards"]
    records = Env.system().records
    export = (f"Card No,Contact ID,Level,Balance,Member since\n"
              f"LOY-100,{first.id},silver,750,2024-03-01\nLOY-101,{second.id},bronze,20,2025-11-30\n")
    report = import_csv(records, "loyalty_cards", io.StringIO(export), mapping=mapping)
    assert (report.created, report.updated, report.errors, report.committed) == (2, 0, [], True)
    again = import_csv(records, "loyalty_cards", io.StringIO(f"Card No,Balance\nLOY-100,900\n"), mapping=mapping)
    assert (again.created, again.updated) == (0, 1)
    cards = records.search("loyalty_cards").records
    assert [(c.number, c.contact_id, c.tier, c.points, c.enrolled_on.isoformat()) for c in cards] == [
        ("LOY-100", first.id, "silver", 900, "2024-03-01"), ("LOY-101", second.id, "bronze", 20, "2025-11-30")]


def test_a_bad_import_row_is_reported_by_line_and_nothing_is_written(app, make_contact):
    contact = make_contact("Durand")
    bad = f"Card No,Contact ID,Level\nLOY-200,{contact.id},gold\nLOY-201,{contact.id},platinum\n"
    report = import_csv(Env.system().records, "loyalty_cards", io.StringIO(bad),
                        mapping=platform(app).import_mappings["loyalty_cards"])
    assert [(error.line, sorted(error.errors)) for error in report.errors] == [(3, ["tier"])]
    assert report.committed is False
    assert Env.system().records.count("loyalty_cards").value == 0


def test_uninstall_drops_the_table_and_the_roles_and_keeps_contacts(app, make_contact, make_card):
    contact = make_contact("Durand")
    make_card(contact, "LOY-1", points=10)
    manager = AddonManager(app)
    plan = manager.plan_uninstall(["spectrum_loyalty"])
    assert plan.addons == ["spectrum_loyalty"]
    assert plan.tables == {"spectrum_loyalty": ["loyalty_cards"]}
    assert plan.rows == {"loyalty_cards": 1}
    manager.uninstall(plan)
    tables = inspect(db.engine).get_table_names()
    assert "loyalty_cards" not in tables and "contacts" in tables
    assert sorted(manager.installed()) == ["base", "contacts"]
    assert db.session.scalar(select(ExternalId).where(ExternalId.addon == "spectrum_loyalty")) is None
    assert db.session.scalar(select(Role).where(Role.name.like("Loyalty:%"))) is None
    assert Env.system().records.get("contacts", contact.id).last_name == "Durand"


def test_demo_cards_belong_to_demo_contacts(database_factory, clock):
    from core.app import create_app

    url = database_factory.clone(("spectrum_loyalty",), demo=True)
    try:
        demo_app = create_app({"database_url": url}, clock=clock)
        with demo_app.app_context():
            cards = list(Env.system().records.iterate("loyalty_cards"))
            assert len(cards) == 40
            assert {card.tier for card in cards} == {"bronze", "silver", "gold"}
            first = next(card for card in cards if card.number == "LOY-00001")
            demo_contact = db.session.scalar(select(ExternalId.record_id).where(
                ExternalId.addon == "contacts", ExternalId.key == "demo_contact_1_1"))
            assert first.contact_id == demo_contact
            db.session.remove()
            db.engine.dispose()
    finally:
        database_factory.drop(url)
