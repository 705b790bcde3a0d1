"""LYBUNT and SYBUNT on a hand-built set of donors, with fiscal years starting 1 April:
exactly the donors who gave in FY2026 and not in FY2027 (and, for SYBUNT, before FY2026
only), whatever they gave outside the fiscal years looked at, or expected and not received;
the shipped saved filters, on the current fiscal year whichever it is."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.contacts.models import Contact
from addons.membership.figures import lapsed_donors
from addons.membership.segments import fiscal_year_bounds, lybunt_domain, segment_id, sybunt_domain

pytestmark = pytest.mark.spectrum_addons("membership")

#: Each donor's gifts (day, status); FY2026 is 2026-04-01 to 2027-03-31, FY2027 to 2028-03-31.
DONORS: dict[str, list[tuple[date, str]]] = {
    "lapsed_last_year": [(date(2026, 4, 1), "received")],
    "lapsed_at_fy_end": [(date(2027, 3, 31), "received")],
    "loyal": [(date(2026, 6, 1), "received"), (date(2027, 4, 1), "received")],
    "new_this_year": [(date(2028, 3, 31), "received")],
    "only_promised_this_year": [(date(2026, 5, 1), "received"), (date(2027, 5, 1), "expected")],
    "gave_before": [(date(2026, 3, 31), "received")],
    "gave_long_ago": [(date(2024, 1, 1), "received")],
    "came_back": [(date(2025, 1, 1), "received"), (date(2027, 6, 1), "received")],
    "never": [],
}


@pytest.fixture
def donors(app: Any) -> dict[str, int]:
    env = Env.system()
    fund = env.records.create("funds", {"name": "General"})
    ids = {}
    for name, gifts in DONORS.items():
        contact = env.records.create("contacts", {"first_name": name, "last_name": "Donor"})
        ids[name] = contact.id
        for day, status in gifts:
            env.records.create("donations", {"contact_id": contact.id, "fund_id": fund.id, "amount": "25",
                                             "received_on": day, "status": status})
    db.session.commit()
    return ids


def _names(env: Env, domain: Any) -> set[str]:
    return set(db.session.scalars(env.records.select("contacts", domain).with_only_columns(Contact.first_name)))


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2027, 4) == (date(2027, 4, 1), date(2028, 3, 31))
    assert fiscal_year_bounds(2027) == (date(2027, 1, 1), date(2027, 12, 31))
    with pytest.raises(ValueError):
        fiscal_year_bounds(2027, 13)


def test_lybunt_lists_exactly_who_gave_last_fiscal_year_and_not_this(donors: dict[str, int]) -> None:
    env = Env.system()
    assert _names(env, lybunt_domain(2027, 4)) == {"lapsed_last_year", "lapsed_at_fy_end",
                                                    "only_promised_this_year"}


def test_sybunt_lists_who_gave_some_earlier_year_only(donors: dict[str, int]) -> None:
    env = Env.system()
    assert _names(env, sybunt_domain(2027, 4)) == {"gave_before", "gave_long_ago"}


def test_the_shipped_segments_follow_the_fiscal_year(app: Any, donors: dict[str, int], admin: Any, api_as: Any,
                                                     clock: Any, client: Any) -> None:
    app.extensions["spectrum"].settings["fiscal_year_start_month"] = 4
    clock.set(datetime(2027, 6, 1, 12, tzinfo=timezone.utc))  # in FY2027
    lybunt = Env.system().records.get("saved_filters", segment_id("lybunt"))
    assert (lybunt.name, lybunt.shared) == ("LYBUNT donors (this fiscal year)", True)
    expected = {"lapsed_last_year", "lapsed_at_fy_end", "only_promised_this_year"}
    assert _saved(api_as(admin), lybunt.id) == expected == _names(Env.system(), lybunt_domain(2027, 4))
    sybunt = segment_id("sybunt")
    assert _saved(api_as(admin), sybunt) == {"gave_before", "gave_long_ago"}
    assert lapsed_donors(Env.system()) == (3, 2)

    clock.set(datetime(2028, 4, 2, 12, tzinfo=timezone.utc))  # FY2028: who gave in FY2027 and not since
    assert _saved(api_as(admin), lybunt.id) == _names(Env.system(), lybunt_domain(2028, 4)) == {
        "loyal", "came_back", "new_this_year"}
    assert _saved(api_as(admin), sybunt) == _names(Env.system(), sybunt_domain(2028, 4))

    sign_in(client, "admin")
    tile = client.get("/membership/segments/lybunt")
    assert tile.status_code == 303 and tile.headers["Location"] == f"/m/contacts?view={lybunt.id}"
    assert client.get("/membership/segments/everyone").status_code == 404


def _saved(api: Any, saved_id: int) -> set[str]:
    answer = api.get(f"/api/v1/contacts?saved={saved_id}&limit=50")
    assert answer.status_code == 200, answer.get_json()
    return {row["first_name"] for row in answer.get_json()["data"]}
