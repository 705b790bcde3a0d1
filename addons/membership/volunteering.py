"""Volunteer hours: the hours of attended shifts summed in SQL per volunteer and year,
through the records service; shown on a contact's page."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import render_template
from sqlalchemy import extract, func, select

from core.db import db
from core.declarations import DetailPanel
from core.env import Env

__all__ = ["VolunteerHours", "volunteer_hours", "volunteer_panels"]


@dataclass(frozen=True)
class VolunteerHours:
    """A volunteer's attended shifts and hours in one year."""

    contact_id: int
    year: int
    shifts: int
    hours: Decimal


def volunteer_hours(env: Env, *, contact_id: int | None = None, year: int | None = None) -> list[VolunteerHours]:
    """Hours given per volunteer and year (the year the shift started, in UTC), of every
    volunteer or of `contact_id`, of every year or of `year`: one grouped query."""
    domain: list[Any] = [["status", "=", "attended"]]
    if contact_id is not None:
        domain.append(["contact_id", "=", contact_id])
    signups = env.records.subquery("volunteer_signups", domain)
    shifts = env.records.subquery("volunteer_shifts")
    started = extract("year", shifts.c.starts_at)
    query = (select(signups.c.contact_id, started, func.count(), func.coalesce(func.sum(signups.c.hours), 0))
             .join(shifts, shifts.c.id == signups.c.shift_id)
             .group_by(signups.c.contact_id, started).order_by(signups.c.contact_id, started))
    if year is not None:
        query = query.where(started == year)
    return [VolunteerHours(contact, int(in_year), int(count), Decimal(hours))
            for contact, in_year, count, hours in db.session.execute(query)]


def _render(env: Env, contact: Any) -> str:
    if not env.records.policy.can("volunteer_signups", "read"):
        return ""
    return render_template("membership/volunteer_panel.html", years=volunteer_hours(env, contact_id=contact.id),
                           skills=contact.volunteer_skills)


def volunteer_panels() -> list[DetailPanel]:
    """A contact's volunteering, per year, on their page (for who reads sign-ups)."""
    def applies(resource: str) -> bool:
        return resource == "contacts"

    return [DetailPanel("membership.volunteering", "Volunteering", applies, _render, position=60)]
