"""The platform's day: today in the configured timezone, on the injectable clock."""
from __future__ import annotations

from datetime import date, timezone

from core.env import Env
from core.zones import zone_or_none

__all__ = ["today"]


def today(env: Env) -> date:
    """The date of the platform clock's instant in the platform's timezone (UTC if unset)."""
    zone = zone_or_none(env.platform.settings["timezone"]) or timezone.utc
    return env.now().astimezone(zone).date()
