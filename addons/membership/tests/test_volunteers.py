"""Volunteer shifts take no more sign-ups than their capacity (422 on the API, the error
beside the shift); attended shifts count their hours, per volunteer and year; skills
live on the contact."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed

from addons.membership.volunteering import VolunteerHours, volunteer_hours

pytestmark = pytest.mark.spectrum_addons("membership")


def _at(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def programme(app: Any) -> dict[str, int]:
    """A stewarding role with a two-place, three-hour shift in 2025 and a four-hour one in
    2026; three volunteers."""
    records = Env.system().records
    role = records.create("volunteer_roles", {"name": "Steward", "skills": "first aid"})
    fair = records.create("volunteer_shifts", {"title": "Summer fair", "role_id": role.id, "capacity": 2,
                                               "starts_at": _at(2025, 6, 1, 9), "ends_at": _at(2025, 6, 1, 12)})
    gala = records.create("volunteer_shifts", {"title": "Gala", "role_id": role.id, "capacity": 5,
                                               "starts_at": _at(2026, 2, 1, 18), "ends_at": _at(2026, 2, 1, 22)})
    people = {name: records.create("contacts", {"first_name": name, "last_name": "Helper",
                                                "volunteer_skills": skills}).id
              for name, skills in (("Ann", "first aid, driving"), ("Ben", None), ("Cal", None))}
    db.session.commit()
    return {"fair": fair.id, "gala": gala.id, **people}


def test_a_full_shift_refuses_another_volunteer(programme: dict[str, int], admin: Any, api_as: Any) -> None:
    api = api_as(admin)
    for name in ("Ann", "Ben"):
        created = api.post("/api/v1/volunteer_signups", json={"shift_id": programme["fair"],
                                                               "contact_id": programme[name]})
        assert created.status_code == 201, created.get_json()
    refused = api.post("/api/v1/volunteer_signups", json={"shift_id": programme["fair"],
                                                          "contact_id": programme["Cal"]})
    assert refused.status_code == 422
    assert "full" in str(refused.get_json()["errors"]["shift_id"])
    # A cancelled sign-up gives its place back.
    ben = Env.system().records.search("volunteer_signups", [["contact_id", "=", programme["Ben"]]]).records[0]
    Env.system().records.update("volunteer_signups", ben.id, {"status": "cancelled"})
    db.session.commit()
    assert api.post("/api/v1/volunteer_signups", json={"shift_id": programme["fair"],
                                                       "contact_id": programme["Cal"]}).status_code == 201


def test_a_shift_keeps_room_for_those_signed_up(programme: dict[str, int]) -> None:
    records = Env.system().records
    for name in ("Ann", "Ben"):
        records.create("volunteer_signups", {"shift_id": programme["fair"], "contact_id": programme[name]})
    with pytest.raises(ValidationFailed) as refused:
        records.update("volunteer_shifts", programme["fair"], {"capacity": 1})
    assert "capacity" in refused.value.errors


def test_hours_per_volunteer_and_year(programme: dict[str, int]) -> None:
    records = Env.system().records
    signups = {}
    for shift, name in (("fair", "Ann"), ("gala", "Ann"), ("gala", "Ben"), ("fair", "Cal")):
        signups[shift, name] = records.create("volunteer_signups", {"shift_id": programme[shift],
                                                                    "contact_id": programme[name]}).id
    records.update("volunteer_signups", signups["fair", "Ann"], {"status": "attended"})
    records.update("volunteer_signups", signups["gala", "Ann"], {"status": "attended", "hours": "5.5"})
    records.update("volunteer_signups", signups["gala", "Ben"], {"status": "attended"})
    records.update("volunteer_signups", signups["fair", "Cal"], {"status": "no_show"})
    with pytest.raises(ValidationFailed) as refused:
        records.update("volunteer_signups", signups["fair", "Cal"], {"hours": "2"})
    assert "hours" in refused.value.errors
    db.session.commit()
    env = Env.system()
    ann, ben = programme["Ann"], programme["Ben"]
    assert volunteer_hours(env) == [VolunteerHours(ann, 2025, 1, Decimal("3.00")),
                                    VolunteerHours(ann, 2026, 1, Decimal("5.50")),
                                    VolunteerHours(ben, 2026, 1, Decimal("4.00"))]
    assert volunteer_hours(env, contact_id=ann, year=2026) == [VolunteerHours(ann, 2026, 1, Decimal("5.50"))]
    assert records.get("contacts", ann).volunteer_skills == "first aid, driving"


def test_the_api_answers_hours_per_volunteer_and_year(programme: dict[str, int], admin: Any, api_as: Any,
                                                     make_user: Any) -> None:
    records = Env.system().records
    for shift, name, hours in (("fair", "Ann", None), ("gala", "Ann", "5.5"), ("gala", "Ben", None)):
        signup = records.create("volunteer_signups", {"shift_id": programme[shift], "contact_id": programme[name]})
        records.update("volunteer_signups", signup.id, {"status": "attended", **({"hours": hours} if hours else {})})
    db.session.commit()
    api = api_as(admin)
    ann = api.get(f"/api/v1/_membership/volunteer_hours?contact_id={programme['Ann']}")
    assert ann.status_code == 200
    assert ann.get_json()["data"] == [{"contact_id": programme["Ann"], "year": 2025, "shifts": 1, "hours": "3.00"},
                                      {"contact_id": programme["Ann"], "year": 2026, "shifts": 1, "hours": "5.50"}]
    in_2026 = api.get("/api/v1/_membership/volunteer_hours?year=2026").get_json()["data"]
    assert [(row["contact_id"], row["hours"]) for row in in_2026] == [(programme["Ann"], "5.50"),
                                                                     (programme["Ben"], "4.00")]
    wrong = api.get("/api/v1/_membership/volunteer_hours?year=last")
    assert wrong.status_code == 422 and "year" in wrong.get_json()["errors"]
    outsider = api_as(make_user("outsider", roles=["base.user"]))
    assert outsider.get("/api/v1/_membership/volunteer_hours").status_code == 403


def test_a_shift_ends_after_it_starts(programme: dict[str, int], admin: Any, api_as: Any) -> None:
    response = api_as(admin).post("/api/v1/volunteer_shifts", json={
        "title": "Backwards", "role_id": Env.system().records.get("volunteer_shifts", programme["fair"]).role_id,
        "starts_at": "2026-03-01T10:00:00Z", "ends_at": "2026-03-01T09:00:00Z"})
    assert response.status_code == 422
    assert "ends_at" in response.get_json()["errors"]


@pytest.mark.postgres_only
def test_two_volunteers_taking_the_last_place_at_once_do_not_both_get_it(app: Any, programme: dict[str, int]) -> None:
    from core.testing.concurrency import at_once

    Env.system().records.create("volunteer_signups", {"shift_id": programme["fair"], "contact_id": programme["Ann"]})
    db.session.commit()

    def sign_up(name: str) -> str:
        with app.app_context():
            try:
                Env.system().records.create("volunteer_signups", {"shift_id": programme["fair"],
                                                                  "contact_id": programme[name]})
                db.session.commit()
                return "signed up"
            except ValidationFailed:
                db.session.rollback()
                return "full"

    outcomes = at_once([lambda: sign_up("Ben"), lambda: sign_up("Cal")])
    assert sorted(outcomes) == ["full", "signed up"]
    assert Env.system().records.count("volunteer_signups", [["shift_id", "=", programme["fair"]]]).value == 2
