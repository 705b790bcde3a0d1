"""An addon extends a model of an addon it depends on (widgets_ext adds `color` and a size)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import Boolean, String

from addon_fixtures import install, open_app, query
from core import field
from core.auth.accounts import create_user, issue_token
from core.db import db
from core.declarations import ModelExtension
from core.env import Env
from core.models.registry import ModelConflict, ModelRegistry
from core.platform import platform
from core.records.errors import ValidationFailed
from core.records.grouping import group_by
from core.testing.sql import sent_statements


def _bearer(app, login: str, roles: tuple[str, ...]) -> dict[str, str]:
    user = create_user(Env.system(), login, login.title(), password="correct horse battery",
                       email=f"{login}@example.com", roles=roles)
    token = issue_token(user, "test", platform(app).clock.now())
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def extended_db(addon_site, database_factory):
    """A database with widgets and widgets_ext installed."""
    addon_site.announce("widgets", "widgets_ext")
    url = database_factory.clone(())
    install(url, "widgets_ext")
    yield url
    database_factory.drop(url)


def test_the_extension_field_is_usable_through_the_records_service(extended_db):
    with open_app(extended_db):
        records = Env.system().records
        created = records.create("widgets", {"name": "Red one", "color": " red ", "size": "xl"})
        records.update("widgets", created.id, {"color": "crimson"})
        db.session.commit()
        meta = records.meta("widgets").describe()
        found = records.search("widgets", [["color", "=", "crimson"]]).records

    assert query(extended_db, "SELECT name, size, color, polished FROM widgets WHERE id = :id", id=created.id) == [
        ("Red one", "xl", "crimson", False)]  # polished: the database's default
    assert [w.id for w in found] == [created.id]
    fields = {f["name"]: f for f in meta["fields"]}
    assert fields["color"]["label"] == "Colour" and fields["color"]["kind"] == "text"
    assert fields["size"]["choices"] == [["s", "Small"], ["m", "Medium"], ["l", "Large"], ["xl", "Extra large"]]


def test_the_extension_field_is_usable_through_the_api(extended_db):
    with open_app(extended_db) as app:
        headers = _bearer(app, "wendy", ("widgets.user",))
        client = app.test_client()

        created = client.post("/api/v1/widgets", json={"name": "Blue one", "color": "blue", "size": "xl",
                                                       "polished": True}, headers=headers)
        patched = client.patch(f"/api/v1/widgets/{created.json['id']}", headers=headers,
                               json={"color": "navy", "version": created.json["version"]})
        listed = client.get("/api/v1/widgets", query_string={"filter": json.dumps([["color", "=", "navy"]])},
                            headers=headers)
        refused = client.post("/api/v1/widgets", json={"name": "Huge", "size": "xxl"}, headers=headers)

    assert created.status_code == 201, created.json
    assert (created.json["color"], created.json["size"], created.json["polished"]) == ("blue", "xl", True)
    assert patched.status_code == 200 and patched.json["color"] == "navy"
    assert [(w["name"], w["color"]) for w in listed.json["data"]] == [("Blue one", "navy")]
    assert refused.status_code == 422
    assert refused.json["errors"] == {"size": ["Must be one of: s, m, l, xl."]}


def test_an_app_without_the_extension_neither_sees_nor_writes_its_field(extended_db, database_factory):
    # This process has mapped widgets.color (extended_db); a database with widgets alone
    # must still work: no SELECT or INSERT names the column it does not have.
    plain = database_factory.clone(())
    install(plain, "widgets")
    with open_app(plain):
        records = Env.system().records
        created = records.create("widgets", {"name": "Plain", "size": "s"})
        db.session.commit()
        names = sorted(w.name for w in records.search("widgets").records)
        with pytest.raises(ValidationFailed) as unknown:
            records.create("widgets", {"name": "Painted", "color": "red"})
        with pytest.raises(ValidationFailed) as no_xl:
            records.create("widgets", {"name": "Big", "size": "xl"})
        described = [f["name"] for f in records.meta("widgets").describe()["fields"]]
        # Aggregates over the visible records (group-by, dashboards) name no column it lacks either.
        groups = [(g.value, g.count) for g in group_by(records, "widgets", "size")]
        records.delete("widgets", created.id)
        db.session.commit()
    with open_app(extended_db):
        colored = [(w.name, w.color) for w in Env.system().records.search("widgets", order="name").records]
    database_factory.drop(plain)

    assert names == ["Legacy", "Plain", "Standard"]
    assert groups == [("s", 2), ("m", 1)]
    assert unknown.value.errors == {"color": ["Unknown field: model 'widgets' has no field 'color'"]}
    assert no_xl.value.errors == {"size": ["Must be one of: s, m, l."]}
    assert "color" not in described and "polished" not in described
    assert colored == [("Legacy", None), ("Standard", None)]


def test_a_batch_create_writes_this_apps_extension_fields_and_only_those(extended_db, database_factory):
    plain = database_factory.clone(())
    install(plain, "widgets")
    with open_app(extended_db):
        made = Env.system().records.create_many("widgets", [
            {"name": "Glossy", "color": "red", "polished": True}, {"name": "Bare"}, {"name": "Blue", "color": "blue"}])
        db.session.commit()
        extended_ids = [w.id for w in made]
    with open_app(plain):  # the column is mapped in this process, but this database lacks it
        made = Env.system().records.create_many("widgets", [{"name": "Plain one"}, {"name": "Plain two"}])
        db.session.commit()
        plain_ids = [w.id for w in made]
    plain_names = query(plain, "SELECT name FROM widgets WHERE id >= :first ORDER BY id", first=plain_ids[0])
    database_factory.drop(plain)

    assert query(extended_db, "SELECT name, color, polished FROM widgets WHERE id >= :first ORDER BY id",
                 first=extended_ids[0]) == [("Glossy", "red", True), ("Bare", None, False), ("Blue", "blue", False)]
    assert plain_names == [("Plain one",), ("Plain two",)]


def test_an_extension_field_with_a_python_default_is_refused(addon_site):
    addon_site.announce("widgets")
    from fixture_addons.widgets.models import Widget

    registry = ModelRegistry()
    registry.add("widgets", Widget)
    flagged = ModelExtension("widgets", fields={"flagged": field(Boolean, default=False)})

    with pytest.raises(ModelConflict) as caught:
        registry.extend_all([("widgets_flags", flagged)])

    assert str(caught.value).startswith(
        "addon 'widgets_flags': extension field 'flagged' of 'widgets' has a Python-side default")
    assert "flagged" not in Widget.__mapper__.attrs


def test_choices_can_only_be_added_to_a_choice_field(addon_site):
    addon_site.announce("widgets")
    from fixture_addons.widgets.models import Widget

    registry = ModelRegistry()
    registry.add("widgets", Widget)
    both = [("widgets_more", ModelExtension("widgets", fields={"gloss": field(String(10))})),
            ("widgets_more", ModelExtension("widgets", choices={"name": [("x", "X")]}))]

    with pytest.raises(ModelConflict) as caught:
        registry.extend_all(both)

    assert str(caught.value) == "addon 'widgets_more' adds choices to 'widgets'.'name', which is not a choice field"
    assert "gloss" not in Widget.__mapper__.attrs  # checked all before applying any


def test_the_extension_column_is_read_with_the_row_not_one_query_per_record(extended_db):
    statements: list[str] = []
    with open_app(extended_db):
        records = Env.system().records

        with sent_statements() as sent:
            colors = [w.color for w in records.search("widgets").records]
        statements += [" ".join(statement.split()) for statement in sent]

    assert colors == [None, None]
    widget_selects = [s for s in statements if s.startswith("SELECT") and "FROM widgets" in s]
    assert len(widget_selects) == 1 and "widgets.color" in widget_selects[0]
