"""Retrying a journey member whose step failed: once the cause is fixed, the member runs
that step again and goes on to the end, from the API, its record page or a members list;
a member that is not failed, or a user who may not update the journey, is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.campaigns.models import JourneyMember, JourneyStepRun
from addons.campaigns.tests.journey_helpers import build_journey, drain

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

#: An update step whose value the contact's email refuses, then a tag and the exit.
FLOW = [{"kind": "update", "config": {"field": "email", "value": "not an address"}, "then": 2},
        {"kind": "update", "config": {"field": "tags", "add": "welcomed"}, "then": 3},
        {"kind": "exit"}]


def _contact(first):
    contact = Env.system().records.create("contacts", {"first_name": first, "last_name": "Doe",
                                                       "email": f"{first.lower()}@example.com"})
    db.session.commit()
    return contact


def _member(journey_id, contact_id):
    db.session.rollback()
    return db.session.scalar(select(JourneyMember).where(JourneyMember.journey_id == journey_id,
                                                         JourneyMember.contact_id == contact_id)
                             .execution_options(populate_existing=True))


def _outcomes(member_id):
    return list(db.session.scalars(select(JourneyStepRun.outcome).where(JourneyStepRun.member_id == member_id)
                                   .order_by(JourneyStepRun.id)))


def _fix(step_id):
    Env.system().records.update("journey_steps", step_id, {"config": {"field": "title", "value": "Reader"}})
    db.session.commit()


@pytest.fixture
def marketer(make_user):
    return make_user("mara", roles=["campaigns.user", "contacts.user"], name="Mara Marketer")


def test_a_member_retried_after_the_fix_runs_the_failed_step_again_and_finishes(app, clock, marketer, make_user,
                                                                                 api_as):
    journey, steps = build_journey("Welcome", FLOW, status="active", owner_id=marketer.id)
    anna = _contact("Anna")
    drain(app)
    member = _member(journey.id, anna.id)
    assert (member.status, member.current_step_id) == ("failed", steps[1])
    [failure] = _outcomes(member.id)
    assert failure.startswith("failed: ") and "email" in failure

    other = make_user("otto", roles=["campaigns.user", "contacts.user"])
    assert api_as(other).post(f"/api/v1/journey_members/{member.id}/retry").status_code == 404, \
        "another marketer does not see the member of a journey not theirs"
    assert api_as(make_user("clerk")).post(f"/api/v1/journey_members/{member.id}/retry").status_code == 403
    assert _member(journey.id, anna.id).status == "failed"

    _fix(steps[1])
    api = api_as(marketer)
    answer = api.post(f"/api/v1/journey_members/{member.id}/retry")
    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["current_step_id"]) == ("active", steps[1])
    assert _outcomes(member.id) == [], "the failed run is gone, so the step can run"
    drain(app)
    member = _member(journey.id, anna.id)
    assert (member.status, member.current_step_id) == ("done", None)
    assert _outcomes(member.id) == ["title = Reader", "+welcomed", "exited"]
    contact = Env.system().records.get("contacts", anna.id)
    assert contact.title == "Reader" and [tag.name for tag in contact.tags] == ["welcomed"]

    again = api.post(f"/api/v1/journey_members/{member.id}/retry")
    assert again.status_code == 422
    assert again.json["errors"] == {"member_ids": [f"Member #{member.id} is done, not failed: only a failed member "
                                                   "can be retried."]}


def test_the_member_page_and_the_members_list_retry_failed_members(app, clock, marketer, client):
    journey, steps = build_journey("Welcome", FLOW, status="active", owner_id=marketer.id)
    anna, bert = _contact("Anna"), _contact("Bert")
    drain(app)
    first, second = _member(journey.id, anna.id), _member(journey.id, bert.id)
    assert (first.status, second.status) == ("failed", "failed")
    token = sign_in(client, "mara")

    page = client.get(f"/m/journey_members/{first.id}").get_data(as_text=True)
    assert f'action="/campaigns/journey-members/{first.id}/retry"' in page
    assert "Stopped at step 1 (update). <strong>some fields are not valid: email: Not a valid email address." in page
    members = client.get("/m/journey_members").get_data(as_text=True)
    assert 'formaction="/campaigns/journey-members/retry"' in members

    _fix(steps[1])
    one = client.post(f"/campaigns/journey-members/{first.id}/retry", data={"csrf_token": token})
    assert (one.status_code, one.headers["Location"]) == (303, f"/m/journey_members/{first.id}")
    assert "1 member retried" in client.get(one.headers["Location"]).get_data(as_text=True)
    drain(app)
    assert _member(journey.id, anna.id).status == "done"
    done_page = client.get(f"/m/journey_members/{first.id}").get_data(as_text=True)
    assert "/retry" not in done_page and "Stopped at step" not in done_page

    # A done member among the ticked ones: nothing is retried, and the page says why.
    mixed = client.post("/campaigns/journey-members/retry", data={
        "ids": [first.id, second.id], "back": "/m/journey_members?q=", "csrf_token": token})
    assert (mixed.status_code, mixed.headers["Location"]) == (303, "/m/journey_members?q=")
    assert f"Member #{first.id} is done, not failed" in client.get("/m/journey_members").get_data(as_text=True)
    assert _member(journey.id, bert.id).status == "failed"

    ticked = client.post("/campaigns/journey-members/retry", data={"ids": [second.id], "csrf_token": token})
    assert (ticked.status_code, ticked.headers["Location"]) == (303, "/m/journey_members")
    drain(app)
    assert _member(journey.id, bert.id).status == "done"
    assert _outcomes(second.id) == ["title = Reader", "+welcomed", "exited"]


def test_a_member_whose_flow_loops_back_is_not_retried_into_the_same_loop(app, clock, marketer, api_as):
    journey, steps = build_journey("Loop", [{"kind": "update", "config": {"field": "title", "value": "Once"},
                                             "then": 2},
                                            {"kind": "update", "config": {"field": "tags", "add": "x"}, "then": 1}],
                                   status="active", owner_id=marketer.id)
    anna = _contact("Anna")
    drain(app)
    member = _member(journey.id, anna.id)
    assert (member.status, member.current_step_id) == ("failed", steps[1])
    answer = api_as(marketer).post(f"/api/v1/journey_members/{member.id}/retry")
    assert answer.status_code == 422
    assert "came back to a step it had run already" in answer.json["errors"]["member_ids"][0]
