"""Volunteering: the roles volunteers fill, the shifts of each role with their capacity,
and volunteers' sign-ups with what became of them."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime, db
from core.records.errors import ValidationFailed

__all__ = ["VolunteerRole", "VolunteerShift", "VolunteerSignup", "SIGNUP_STATUSES", "TAKING_A_PLACE", "MEMBER_STATUSES"]

SIGNUP_STATUSES = [("signed_up", "Signed up"), ("attended", "Attended"), ("no_show", "No show"),
                   ("cancelled", "Cancelled")]
#: Sign-ups that hold one of the shift's places.
TAKING_A_PLACE = ("signed_up", "attended")
#: The statuses a member gives their own sign-up (from the portal or the API).
MEMBER_STATUSES = ("signed_up", "cancelled")


def _member_acting(env: Any) -> bool:
    """Whether a member (a portal user) writes, rather than an officer or the platform."""
    return not env.system_mode and env.user is not None and env.user.kind == "portal"


class VolunteerRole(Record):
    """What volunteers do (steward, driver, shop assistant), and the skills it asks for."""

    __tablename__ = "volunteer_roles"
    __label__ = "Volunteer role"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True, unique=True)
    skills: Mapped[str | None] = field(String(255), label="Skills wanted",
                                       help="Comma-separated, as on the contacts' volunteer skills.")
    description: Mapped[str | None] = field(Text, label="Description")
    active: Mapped[bool] = field(Boolean, label="Recruiting", nullable=False, default=True)


class VolunteerShift(Record):
    """A stretch of time a role needs volunteers for, with how many it takes."""

    __tablename__ = "volunteer_shifts"
    __label__ = "Volunteer shift"
    __display_field__ = "title"
    __order__ = ["starts_at"]
    __sort_scopes__ = ["role_id"]

    title: Mapped[str] = field(String(160), label="Title", required=True, searchable=True)
    role_id: Mapped[int] = field(ForeignKey("volunteer_roles.id", ondelete="RESTRICT"), label="Role", required=True)
    starts_at: Mapped[datetime] = field(UtcDateTime, label="Starts", required=True)
    ends_at: Mapped[datetime] = field(UtcDateTime, label="Ends", required=True)
    location: Mapped[str | None] = field(String(160), label="Where")
    capacity: Mapped[int] = field(Integer, label="Volunteers needed", nullable=False, default=1,
                                  validate=[validate.Range(min=1, max=10_000)])
    role: Mapped[VolunteerRole] = relationship(VolunteerRole, foreign_keys=[role_id])

    def hours(self) -> Decimal:
        """The shift's length in hours, to the hundredth."""
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / 3600).quantize(Decimal("0.01"))

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A shift ends after it starts, and keeps room for those signed up already."""
        if self.ends_at <= self.starts_at:
            raise ValidationFailed({"ends_at": ["The shift ends before it starts."]})
        if self.id is not None and "capacity" in changed:
            taken = places_taken(self.id)
            if taken > self.capacity:
                raise ValidationFailed({"capacity": [f"{taken} volunteers are signed up already."]})


def places_taken(shift_id: int, *, leaving: int | None = None) -> int:
    """How many sign-ups hold a place of the shift (but `leaving`)."""
    return db.session.scalar(select(func.count()).select_from(VolunteerSignup).where(
        VolunteerSignup.shift_id == shift_id, VolunteerSignup.status.in_(TAKING_A_PLACE),
        VolunteerSignup.id != (leaving or 0))) or 0


class VolunteerSignup(Record):
    """A volunteer (a contact) down for a shift: signed up, then attended (with the hours
    given, by default the shift's length) or a no-show. A shift takes no more sign-ups
    than its capacity: its row is locked while a place is counted, so two volunteers
    taking the last place at once cannot both have it (PostgreSQL)."""

    __tablename__ = "volunteer_signups"
    __label__ = "Volunteer sign-up"
    __order__ = ["-id"]
    __sort_scopes__ = ["shift_id", "contact_id"]
    __table_args__ = (UniqueConstraint("shift_id", "contact_id", name="uq_volunteer_signups_shift_contact"),)

    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Volunteer", required=True,
                                    index=True)
    shift_id: Mapped[int] = field(ForeignKey("volunteer_shifts.id", ondelete="CASCADE"), label="Shift",
                                  required=True)
    status: Mapped[str] = field(String(12), label="Status", choices=SIGNUP_STATUSES, nullable=False,
                                default="signed_up")
    hours: Mapped[Decimal | None] = field(Numeric(6, 2), label="Hours given",
                                          validate=[validate.Range(min=0, max=1000)],
                                          help="Counted when attended; default: the shift's length.")
    shift: Mapped[VolunteerShift] = relationship(VolunteerShift, foreign_keys=[shift_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A place of the shift when the sign-up takes one; the hours of an attended shift."""
        shift = db.session.scalars(select(VolunteerShift).where(VolunteerShift.id == self.shift_id)
                                   .with_for_update().execution_options(populate_existing=True)).one_or_none()
        if shift is None:
            raise ValidationFailed({"shift_id": ["No such shift."]})
        if self.status is None:  # the column default comes only at the INSERT
            self.status = "signed_up"
        if _member_acting(env):
            self._check_members_change(env, shift, changed)
        if self.status in TAKING_A_PLACE and changed & {"shift_id", "status"} and places_taken(shift.id, leaving=self.id) >= shift.capacity:
            raise ValidationFailed({"shift_id": [f"This shift is full: its {shift.capacity} places are taken."]})
        if self.status == "attended" and self.hours is None:
            self.hours = shift.hours()
        if self.status != "attended":
            if "hours" in changed and self.hours:
                raise ValidationFailed({"hours": ["Hours count only for an attended shift."]})
            self.hours = None

    def _check_members_change(self, env: Any, shift: VolunteerShift, changed: set[str]) -> None:
        """A member signs up for a shift to come, or cancels (or takes back) their sign-up
        before it starts; attendance and hours are the officers' to record."""
        if self.id is None and self.status != "signed_up":
            raise ValidationFailed({"status": ["Sign up first: the officers record who attended."]})
        if changed - {"status", "shift_id", "contact_id"} or self.status not in MEMBER_STATUSES:
            raise ValidationFailed({next(iter(changed - {"status", "shift_id", "contact_id"}), "status"): [
                "Members sign up or cancel; the officers record attendance and hours."]})
        if self.id is not None and changed & {"shift_id", "contact_id"}:
            raise ValidationFailed({"shift_id": ["Cancel this sign-up and sign up for the other shift."]})
        if shift.starts_at <= env.now():
            raise ValidationFailed({"shift_id": ["This shift has started: ask the volunteer officers."]})
