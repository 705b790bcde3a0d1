"""The timezone a contact lives in, for anything timed to their day (quiet hours for SMS,
a journey waiting until Monday 09:00): their own `timezone` when set, else the zone their
mobile or phone number belongs to, else their country's, else the platform's."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel.core import get_global
from phonenumbers import timezone as number_zones

from core.platform import platform
from core.zones import zone_or_none

__all__ = ["contact_zone", "country_zone", "number_zone"]

#: What libphonenumber answers for a number it cannot place.
_UNKNOWN = "Etc/Unknown"


def contact_zone(contact: Any) -> ZoneInfo:
    """The contact's timezone (see the module's docstring for the order of the sources)."""
    country = getattr(contact, "country", None)
    return (zone_or_none(getattr(contact, "timezone", None))
            or number_zone(getattr(contact, "mobile", None), country)
            or number_zone(getattr(contact, "phone", None), country)
            or country_zone(country)
            or zone_or_none(platform().settings["timezone"])
            or ZoneInfo("UTC"))


def number_zone(number: str | None, country: str | None) -> ZoneInfo | None:
    """The one timezone a phone number belongs to (a New York number: America/New_York),
    or None when it has several (a US mobile) or cannot be read."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    zones = [name for name in number_zones.time_zones_for_number(parsed) if name != _UNKNOWN]
    return _single(tuple(zones))


def country_zone(country: str | None) -> ZoneInfo | None:
    """The timezone of a country (ISO 3166 code) whose zones all keep the same time now,
    such as Germany's; None for a country that spans several (the United States)."""
    zones = get_global("territory_zones").get((country or "").upper(), [])
    return _single(tuple(zones))


@lru_cache(maxsize=512)
def _single(names: tuple[str, ...]) -> ZoneInfo | None:
    """The first of `names` when all keep the same offset from UTC, this year in January and
    in July (so daylight saving is the same too), else None."""
    zones = [zone for zone in map(zone_or_none, names) if zone is not None]
    if not zones:
        return None
    year = datetime.now(timezone.utc).year
    samples = [datetime(year, month, 15, 12, tzinfo=timezone.utc) for month in (1, 7)]
    offsets = {tuple(sample.astimezone(zone).utcoffset() for sample in samples) for zone in zones}
    return zones[0] if len(offsets) == 1 else None
