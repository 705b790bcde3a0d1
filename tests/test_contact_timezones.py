"""A contact's timezone: their own, else their number's, else their country's, else the
company's; a name that is not a timezone is refused with the field named."""
from __future__ import annotations

import pytest

from addons.contacts.timezones import contact_zone
from core.env import Env
from core.records.errors import ValidationFailed


def _contact(**values):
    return Env.system().records.create("contacts", {"last_name": "Zone", **values})


def test_the_contacts_own_timezone_comes_first(app):
    contact = _contact(timezone="Asia/Tokyo", mobile="+1 212 555 0100", country="US")
    assert contact_zone(contact).key == "Asia/Tokyo"


def test_a_number_that_belongs_to_one_zone_gives_it(app):
    assert contact_zone(_contact(phone="+1 212 555 0100", country="US")).key == "America/New_York"
    assert contact_zone(_contact(mobile="0151 12345678", country="DE")).key == "Europe/Berlin"


def test_a_country_that_keeps_one_time_gives_its_zone_and_one_that_spans_several_does_not(app):
    assert contact_zone(_contact(country="fr")).key == "Europe/Paris"
    assert contact_zone(_contact(country="DE")).key == "Europe/Berlin"
    app.extensions["spectrum"].settings["timezone"] = "Europe/Lisbon"  # the company's, for a contact we cannot place
    assert contact_zone(_contact(country="US")).key == "Europe/Lisbon"
    assert contact_zone(_contact()).key == "Europe/Lisbon"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../../etc/passwd", "Europe/", "a" * 300])
def test_a_name_that_is_no_timezone_is_refused_on_the_field(app, name):
    with pytest.raises(ValidationFailed) as refused:
        _contact(timezone=name)
    assert "timezone" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        Env.system().records.create("users", {"login": "zoned", "name": "Zoned", "timezone": name})
    assert "timezone" in refused.value.errors
