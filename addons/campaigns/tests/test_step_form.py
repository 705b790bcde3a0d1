"""A journey step's settings in the record form: the inputs of its kind instead of JSON
(core.models.subforms), saved as the JSON the engine reads, a bad value told beside its input."""
from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in

from addons.campaigns.models import JourneyStep

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


@pytest.fixture
def journey(app: Any, admin: Any) -> dict[str, Any]:
    records = Env.system().records
    segment = records.create("segments", {"name": "Newcomers"})
    campaign = records.create("campaigns", {"name": "Welcome"})
    message = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "Hello there",
                                                   "body": "<p>Hi</p>"})
    journey = records.create("journeys", {"name": "Onboarding", "entry_segment_id": segment.id})
    db.session.commit()
    return {"id": journey.id, "segment": segment.id, "message": message.id}


def _post(client: Any, url: str, data: dict[str, str]) -> Any:
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "config._subform": "1", **data})


def _error_beside(html: str, input_id: str) -> str:
    """The error shown under the input `input_id`, which names it as its description."""
    assert re.search(rf'id="{input_id}"[^>]*aria-invalid="true" aria-describedby="{input_id}-error"', html), html
    found = re.search(rf'<p class="field-error" id="{input_id}-error" role="alert">([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def test_the_form_shows_the_inputs_of_each_kind_and_the_chosen_one(client: Any, journey: dict[str, Any]) -> None:
    sign_in(client, "admin")
    html = client.get(f"/m/journey_steps/new?journey_id={journey['id']}&kind=send").get_data(as_text=True)
    assert 'name="config"' not in html and "<textarea" not in html.split('data-part="branch"')[0]
    assert re.search(r'<div class="subform-part chosen" data-part="send">', html)
    assert re.search(rf'<select id="f-config-send-message_id" name="config.send.message_id">.*?'
                     rf'<option value="{journey["message"]}" >[^<]*Hello there', html, re.S)
    for name in ("config.wait.days", "config.wait.hours", "config.wait.minutes", "config.wait.until",
                 "config.branch.condition", "config.branch.segment_id", "config.update.field", "config.update.add",
                 "config.activity.summary", "config.activity.due_days", "config.notify.text"):
        assert f'name="{name}"' in html, name
    assert re.search(r'<div class="subform-part" data-part="exit">\s*<p class="help">Nothing to set.</p>', html)


def test_saving_stores_the_settings_the_engine_reads(client: Any, journey: dict[str, Any]) -> None:
    sign_in(client, "admin")
    url = "/m/journey_steps/new"
    common = {"journey_id": str(journey["id"])}
    made = _post(client, url, {**common, "position": "1", "kind": "wait", "config.wait.hours": "36",
                               "config.wait.minutes": "", "config.send.message_id": str(journey["message"])})
    assert made.status_code == 303, made.get_data(as_text=True)
    wait = db.session.scalar(db.select(JourneyStep).where(JourneyStep.position == 1))
    assert wait.config == {"hours": 36}  # only the chosen kind's inputs, empty ones left out

    made = _post(client, url, {**common, "position": "2", "kind": "branch", "config.branch.condition": "segment",
                               "config.branch.segment_id": str(journey["segment"])})
    assert made.status_code == 303, made.get_data(as_text=True)
    branch = db.session.scalar(db.select(JourneyStep).where(JourneyStep.position == 2))
    assert branch.config == {"condition": {"segment_id": journey["segment"]}}

    # The edit form shows the stored settings in the inputs; changing the kind changes them.
    edit = f"/m/journey_steps/{branch.id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert re.search(r'<option value="segment" selected>', html)
    assert re.search(rf'<option value="{journey["segment"]}" selected>Newcomers', html)
    saved = _post(client, edit, {**common, "version": str(branch.version), "position": "2", "kind": "update",
                                 "config.update.field": "tags", "config.update.add": "vip",
                                 "config.branch.condition": "segment"})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JourneyStep, branch.id).config == {"field": "tags", "add": "vip"}


def test_an_edit_that_leaves_the_settings_keeps_what_the_inputs_do_not_show(client: Any,
                                                                          journey: dict[str, Any]) -> None:
    step = Env.system().records.create("journey_steps", {"journey_id": journey["id"], "position": 1, "kind": "notify",
                                                         "config": {"text": "Call them", "channel": "sms"}})
    db.session.commit()
    sign_in(client, "admin")
    edit = f"/m/journey_steps/{step.id}/edit"
    common = {"journey_id": str(journey["id"]), "kind": "notify", "version": str(step.version)}
    assert _post(client, edit, {**common, "position": "5", "config.notify.text": "Call them"}).status_code == 303
    db.session.expire_all()
    assert (step.position, step.config) == (5, {"text": "Call them", "channel": "sms"})
    common["version"] = str(step.version)
    assert _post(client, edit, {**common, "position": "5", "config.notify.text": "Write"}).status_code == 303
    db.session.expire_all()
    assert step.config == {"text": "Write"}  # an edited part is saved as its inputs say


@pytest.mark.parametrize(("data", "input_id", "message"), [
    ({"kind": "wait", "config.wait.until": "someday"}, "f-config-wait-until", "Give a time such as 09:00"),
    ({"kind": "wait", "config.wait.hours": "many"}, "f-config-wait-hours", "Give a number."),
    ({"kind": "send"}, "f-config-send-message_id", "Choose the message to send."),
    ({"kind": "branch", "config.branch.condition": "segment"}, "f-config-branch-segment_id", "Choose the segment."),
    ({"kind": "update", "config.update.field": "tags"}, "f-config-update-add", "Give a tag to add or to remove."),
])
def test_a_bad_setting_is_told_beside_its_input(client: Any, journey: dict[str, Any], data: dict[str, str],
                                                input_id: str, message: str) -> None:
    sign_in(client, "admin")
    answer = _post(client, "/m/journey_steps/new", {"journey_id": str(journey["id"]), "position": "1", **data})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert _error_beside(html, input_id).startswith(message)
    assert re.search(rf'<div class="subform-part chosen" data-part="{data["kind"]}">', html)
    for name, value in data.items():  # what was typed stays in the form
        if name.startswith("config.") and value not in ("segment",):
            assert f'value="{value}"' in html
    assert db.session.scalar(db.select(db.func.count(JourneyStep.id))) == 0


def _rows(html: str, name: str) -> list[tuple[str, str, str]]:
    """The builder rows the form shows for input `name`: chosen field, operator and value."""
    rows = []
    for index in range(20):
        found = re.search(rf'<select name="{re.escape(name)}\.{index}\.field".*?</select>\s*'
                          rf'<select name="{re.escape(name)}\.{index}\.operator".*?</select>\s*'
                          rf'<input name="{re.escape(name)}\.{index}\.value" value="([^"]*)"', html, re.S)
        if not found:
            return rows
        field = re.search(r'<option value="([^"]*)" selected>', found.group(0))
        operator = re.search(rf'name="{re.escape(name)}\.{index}\.operator".*?<option selected>([^<]*)<',
                             found.group(0), re.S)
        rows.append(tuple(unescape(text) for text in (field.group(1) if field else "",
                                                      operator.group(1) if operator else "", found.group(1))))
    return rows


def test_a_branch_filter_is_edited_as_rows_of_the_filter_builder(client: Any, journey: dict[str, Any]) -> None:
    sign_in(client, "admin")
    url = "/m/journey_steps/new"
    common = {"journey_id": str(journey["id"]), "kind": "branch", "config.branch.condition": "filter"}
    html = client.get(f"{url}?journey_id={journey['id']}&kind=branch").get_data(as_text=True)
    assert _rows(html, "config.branch.filter") == [("", "=", "")]  # one blank row to start with
    assert re.search(r'<select name="config.branch.filter.0.field"[^>]*>\s*<option value="">field…</option>.*?'
                     r'<option value="country" >Country</option>', html, re.S)  # the contact's fields
    made = _post(client, url, {**common, "position": "1",
                               "config.branch.filter.0.field": "country", "config.branch.filter.0.operator": "=",
                               "config.branch.filter.0.value": "FR",
                               "config.branch.filter.1.field": "", "config.branch.filter.1.operator": "=",
                               "config.branch.filter.1.value": "",
                               "config.branch.filter.3.field": "city", "config.branch.filter.3.operator": "in",
                               "config.branch.filter.3.value": "Paris, Lyon"})
    assert made.status_code == 303, made.get_data(as_text=True)
    step = db.session.scalar(db.select(JourneyStep).where(JourneyStep.position == 1))
    assert step.config == {"condition": {"filter": [["country", "=", "FR"], ["city", "in", ["Paris", "Lyon"]]]}}

    # The API may store what no row shows: it stays, as JSON beside the rows, through an edit.
    filter_ = [["country", "=", "FR"], {"or": [["city", "=", "Paris"], ["city", "=", "Lyon"]]}, ["id", ">", 3]]
    Env.system().records.update("journey_steps", step.id, {"config": {"condition": {"filter": filter_}}})
    db.session.commit()
    edit = f"/m/journey_steps/{step.id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert _rows(html, "config.branch.filter") == [("country", "=", "FR"), ("id", ">", "3"), ("", "=", "")]
    rest = unescape(re.search(r'<textarea name="config.branch.filter" rows="2"[^>]*>\n([^<]*)</textarea>',
                              html).group(1))
    assert rest == '[{"or": [["city", "=", "Paris"], ["city", "=", "Lyon"]]}]'
    shown = {**common, "version": str(step.version), "position": "2",
             "config.branch.filter.0.field": "country", "config.branch.filter.0.operator": "=",
             "config.branch.filter.0.value": "FR", "config.branch.filter.1.field": "id",
             "config.branch.filter.1.operator": ">", "config.branch.filter.1.value": "3",
             "config.branch.filter": rest}
    assert _post(client, edit, shown).status_code == 303
    db.session.expire_all()
    assert (step.position, step.config["condition"]["filter"]) == (2, filter_)  # untouched rows keep their values

    shown.update({"version": str(step.version), "config.branch.filter.0.value": "DE"})
    assert _post(client, edit, shown).status_code == 303
    db.session.expire_all()
    assert step.config == {"condition": {"filter": [["country", "=", "DE"], ["id", ">", "3"], filter_[1]]}}


@pytest.mark.parametrize(("rows", "message"), [
    ({"config.branch.filter.0.field": "no_such_field", "config.branch.filter.0.operator": "="}, "no_such_field"),
    ({"config.branch.filter.0.field": "id", "config.branch.filter.0.operator": ">",
      "config.branch.filter.0.value": "many"}, "many"),
    ({"config.branch.filter": "[[\"country\""}, "Not valid JSON"),
    ({}, "Add at least one condition the contact must meet"),
])
def test_a_bad_filter_is_told_beside_the_builder(client: Any, journey: dict[str, Any], rows: dict[str, str],
                                                 message: str) -> None:
    sign_in(client, "admin")
    answer = _post(client, "/m/journey_steps/new", {"journey_id": str(journey["id"]), "position": "1", "kind": "branch",
                                                    "config.branch.condition": "filter", **rows})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert message in _error_beside(html, "f-config-branch-filter")
    if "config.branch.filter.0.field" in rows:  # the rows typed stay in the form
        assert _rows(html, "config.branch.filter")[0][0] == rows["config.branch.filter.0.field"]
    assert db.session.scalar(db.select(db.func.count(JourneyStep.id))) == 0
