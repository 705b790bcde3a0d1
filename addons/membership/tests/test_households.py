"""A household's members are the contacts naming it; its giving is their received
donations summed in SQL, only as far as the reader may read them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.records.errors import AccessDenied
from core.testing.web import sign_in

from addons.membership.households import HouseholdGiving, household_giving

pytestmark = pytest.mark.spectrum_addons("membership")


def _gift(contact_id: int, fund_id: int, amount: str, status: str = "received", currency: str = "EUR") -> None:
    Env.system().records.create("donations", {"contact_id": contact_id, "fund_id": fund_id, "amount": amount,
                                              "received_on": date(2026, 3, 1), "status": status,
                                              "currency": currency})


@pytest.fixture
def smiths() -> dict[str, int]:
    """The Smith Household (Anne and Paul), the Jones Household (Tom), and Zoe, in none."""
    records = Env.system().records
    smith = records.create("households", {"name": "The Smith Household", "salutation": "Dear Anne and Paul"})
    jones = records.create("households", {"name": "The Jones Household"})
    people = {name: records.create("contacts", {"first_name": name, "last_name": last,
                                                "household_id": household}).id
              for name, last, household in (("Anne", "Smith", smith.id), ("Paul", "Smith", smith.id),
                                            ("Tom", "Jones", jones.id), ("Zoe", "Alone", None))}
    fund = records.create("funds", {"name": "General"})
    _gift(people["Anne"], fund.id, "100")
    _gift(people["Anne"], fund.id, "25.50")
    _gift(people["Paul"], fund.id, "50")
    _gift(people["Paul"], fund.id, "30", currency="GBP")
    _gift(people["Paul"], fund.id, "999", status="expected")
    _gift(people["Tom"], fund.id, "10")
    _gift(people["Zoe"], fund.id, "70")
    db.session.commit()
    return {"smith": smith.id, "jones": jones.id, **people}


def test_a_household_gives_what_its_members_gave(app: Any, smiths: dict[str, int]) -> None:
    env = Env.system()
    assert household_giving(env) == [
        HouseholdGiving(smiths["smith"], "EUR", Decimal("175.50"), 3, 2),
        HouseholdGiving(smiths["smith"], "GBP", Decimal("30.00"), 1, 1),
        HouseholdGiving(smiths["jones"], "EUR", Decimal("10.00"), 1, 1),
    ]
    assert [row.household_id for row in household_giving(env, [smiths["jones"]])] == [smiths["jones"]]
    members = env.records.search("contacts", [["household_id", "=", smiths["smith"]]], order="first_name").records
    assert [contact.first_name for contact in members] == ["Anne", "Paul"]


def test_a_member_leaving_takes_their_gifts_along(app: Any, smiths: dict[str, int]) -> None:
    env = Env.system()
    env.records.update("contacts", smiths["Paul"], {"household_id": smiths["jones"]})
    db.session.commit()
    totals = {(row.household_id, row.currency): row.total for row in household_giving(env)}
    assert totals == {(smiths["smith"], "EUR"): Decimal("125.50"), (smiths["jones"], "EUR"): Decimal("60.00"),
                      (smiths["jones"], "GBP"): Decimal("30.00")}


def test_giving_counts_only_what_the_reader_may_read(app: Any, smiths: dict[str, int], make_user: Any) -> None:
    portal = make_user("anne", roles=["base.portal"], kind="portal", contact_id=smiths["Anne"])
    # A member reads their own contact and gifts only: Paul's are not hers to add up.
    assert household_giving(Env.for_user(portal)) == [
        HouseholdGiving(smiths["smith"], "EUR", Decimal("125.50"), 2, 1)]
    with pytest.raises(AccessDenied):
        household_giving(Env.for_user(make_user("nobody", roles=["base.user"])))


def test_the_api_answers_a_households_giving(app: Any, smiths: dict[str, int], admin: Any, api_as: Any,
                                            make_user: Any) -> None:
    answer = api_as(admin).get(f"/api/v1/_membership/households/{smiths['smith']}/giving")
    assert answer.status_code == 200
    assert answer.get_json() == {"household_id": smiths["smith"], "giving": [
        {"currency": "EUR", "total": "175.50", "gifts": 3, "donors": 2},
        {"currency": "GBP", "total": "30.00", "gifts": 1, "donors": 1}]}
    assert api_as(admin).get("/api/v1/_membership/households/999999/giving").status_code == 404
    assert api_as(make_user("nobody", roles=["base.user"])).get(
        f"/api/v1/_membership/households/{smiths['smith']}/giving").status_code == 403
    described = api_as(admin).get("/api/openapi.json").get_json()["paths"]
    assert "/api/v1/_membership/households/{household_id}/giving" in described
    assert "/api/v1/_membership/volunteer_hours" in described


def test_the_household_page_shows_its_giving_and_members(app: Any, smiths: dict[str, int], client: Any,
                                                          make_user: Any) -> None:
    make_user("olga", roles=["membership.officer"])
    sign_in(client, "olga")
    page = client.get(f"/m/households/{smiths['smith']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "175.50" in html and "30.00" in html
    assert "Anne" in html and "Paul" in html and "Tom" not in html
