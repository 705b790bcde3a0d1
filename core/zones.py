"""IANA timezones: checking a name people type, and reading one with a fallback."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, validate

__all__ = ["TimezoneName", "zone_or_none"]


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The timezone called `name` (such as "Europe/Paris"), or None when it names none."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        return None


class TimezoneName(validate.Validator):
    """A field validator: the value is an IANA timezone name this server knows."""

    error = "{input!r} is not a timezone: give an IANA name such as Europe/Paris."

    def __call__(self, value: str | None) -> str | None:
        if value and zone_or_none(value) is None:
            raise ValidationError(self.error.format(input=value))
        return value
