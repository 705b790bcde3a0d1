"""Fixtures of the service desk tests: a `desk` that builds calendars, policies, teams,
agents and customers through the records service, and the real SMTP server."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest

from core.db import db
from core.env import Env
from core.testing.smtp import smtp_server  # noqa: F401 - pytest finds fixtures by name here

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def paris(*args: int) -> datetime:
    """An aware datetime in Paris."""
    return datetime(*args, tzinfo=PARIS)


class Desk:
    """Builds service desk records as the system and commits each one."""

    def __init__(self, make_user: Callable[..., Any]) -> None:
        self.make_user = make_user
        self.records = Env.system().records

    def create(self, resource: str, **values: Any) -> Any:
        record = self.records.create(resource, values)
        db.session.commit()
        return record

    def calendar(self, name: str = "Office", timezone: str = "Europe/Paris",
                 frames: tuple[tuple[str, str, str], ...] | None = None, holidays: tuple[str, ...] = ()) -> Any:
        calendar = self.records.create("business_calendars", {"name": name, "timezone": timezone})
        for day, start, end in frames or [(day, "09:00", "17:00") for day in WEEKDAYS]:
            self.records.create("calendar_time_frames", {"calendar_id": calendar.id, "weekday": day,
                                                         "start_time": start, "end_time": end})
        for day in holidays:
            self.records.create("calendar_holidays", {"calendar_id": calendar.id, "day": day, "name": "Holiday"})
        db.session.commit()
        return calendar

    def policy(self, calendar: Any = None, **values: Any) -> Any:
        values.setdefault("name", "Standard")
        values.setdefault("is_fallback", True)
        return self.create("sla_policies", calendar_id=calendar.id if calendar is not None else None, **values)

    def agent(self, login: str, *, manager: bool = False, **values: Any) -> Any:
        role = "service_desk.manager" if manager else "service_desk.agent"
        return self.make_user(login, roles=[role], **values)

    def customer(self, login: str, *, account: Any = None, admin: bool = False, email: str | None = None) -> Any:
        contact = self.records.create("contacts", {
            "first_name": login.title(), "last_name": "Customer", "email": email or f"{login}@customer.test",
            "account_id": account.id if account is not None else None, "portal_admin": admin})
        db.session.commit()
        return self.make_user(login, roles=["base.portal"], kind="portal", contact_id=contact.id,
                              email=contact.email)

    def team(self, name: str, members: list[Any] = (), **values: Any) -> Any:
        team = self.records.create("helpdesk_teams", {"name": name, **values})
        for user in members:
            self.records.create("team_members", {"team_id": team.id, "user_id": user.id})
        db.session.commit()
        return team

    def ticket(self, **values: Any) -> Any:
        values.setdefault("subject", "Printer on fire")
        return self.create("tickets", **values)

    def fresh(self, resource: str, record_id: int) -> Any:
        db.session.expire_all()
        return self.records.get(resource, record_id)


@pytest.fixture
def desk(app: Any, make_user: Callable[..., Any]) -> Desk:
    """The service desk builder for this test's database."""
    return Desk(make_user)
