"""Business calendars (frames, holidays), SLA policies, escalation rules and SLA events."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime
from core.models.types import JsonType
from core.records.errors import ValidationFailed

__all__ = [
    "BusinessCalendar", "CalendarTimeFrame", "CalendarHoliday", "SlaPolicy", "SlaEscalation", "TicketSlaEvent",
    "WEEKDAYS", "TARGETS", "DEFAULT_PAUSING",
]

WEEKDAYS = [("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"),
            ("sat", "Saturday"), ("sun", "Sunday")]
TARGETS = [("first_response", "First response"), ("next_update", "Next update"), ("resolution", "Resolution")]
EVENT_KINDS = [("warning", "Warning"), ("breach", "Breach")]
#: Statuses that stop the SLA clocks unless a policy says otherwise.
DEFAULT_PAUSING = ("pending_customer", "pending_third_party")


class BusinessCalendar(Record):
    """Business hours in one timezone; SLA targets are counted in its business time."""

    __tablename__ = "business_calendars"
    __label__ = "Business calendar"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    timezone: Mapped[str] = field(String(64), label="Timezone", required=True,
                                  help="IANA name, such as Europe/Paris: frames and holidays are local to it.")
    description: Mapped[str | None] = field(Text, label="Description")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse a timezone the platform does not know."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed({"timezone": [
                f"Unknown timezone {self.timezone!r}; use an IANA name such as Europe/Paris."]}) from None


class CalendarTimeFrame(Record):
    """One span of business hours on one weekday (a day may have several)."""

    __tablename__ = "calendar_time_frames"
    __label__ = "Time frame"
    __display_field__ = "label"
    __order__ = ["calendar_id", "id"]

    calendar_id: Mapped[int] = field(ForeignKey("business_calendars.id", ondelete="CASCADE"), label="Calendar",
                                     required=True, index=True)
    weekday: Mapped[str] = field(String(3), label="Weekday", choices=WEEKDAYS, required=True)
    start_time: Mapped[str] = field(String(5), label="From", required=True, help="Local time, HH:MM.")
    end_time: Mapped[str] = field(String(5), label="To", required=True, help="Local time, HH:MM (24:00 for midnight).")

    calendar: Mapped[BusinessCalendar] = relationship(BusinessCalendar)

    @property
    def label(self) -> str:
        """"Monday 09:00-17:00"."""
        return f"{dict(WEEKDAYS).get(self.weekday, self.weekday)} {self.start_time}-{self.end_time}"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Times must read HH:MM and the frame must end after it starts."""
        from core.business_time import CalendarError, format_clock, parse_clock

        errors: dict[str, list[str]] = {}
        minutes = {}
        for name in ("start_time", "end_time"):
            try:
                minutes[name] = parse_clock(getattr(self, name))
                setattr(self, name, format_clock(minutes[name]))
            except CalendarError as error:
                errors[name] = [str(error)]
        if not errors and minutes["end_time"] <= minutes["start_time"]:
            errors["end_time"] = ["The frame must end after it starts (split a night shift into two frames)."]
        if errors:
            raise ValidationFailed(errors)


class CalendarHoliday(Record):
    """A local date with no business time on one calendar."""

    __tablename__ = "calendar_holidays"
    __label__ = "Holiday"
    __display_field__ = "name"
    __order__ = ["calendar_id", "day"]
    __table_args__ = (UniqueConstraint("calendar_id", "day", name="uq_calendar_holidays_calendar_day"),)

    calendar_id: Mapped[int] = field(ForeignKey("business_calendars.id", ondelete="CASCADE"), label="Calendar",
                                     required=True, index=True)
    day: Mapped[date] = field(Date, label="Date", required=True)
    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True)
    source_uid: Mapped[str | None] = field(String(255), label="iCalendar UID",
                                           help="Set when the holiday came from an iCalendar import.")

    calendar: Mapped[BusinessCalendar] = relationship(BusinessCalendar)


class SlaPolicy(Record):
    """Targets in business minutes; the first active policy whose condition matches a
    ticket (by sequence) applies, else the fallback policy."""

    __tablename__ = "sla_policies"
    __label__ = "SLA policy"
    __label_plural__ = "SLA policies"
    __display_field__ = "name"
    __order__ = ["sequence", "id"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    sequence: Mapped[int] = field(Integer, label="Sequence", default=10, nullable=False,
                                  help="Policies are tried in this order; the first matching one applies.")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
    is_fallback: Mapped[bool] = field(Boolean, label="Fallback", default=False, nullable=False,
                                      help="Applies to tickets no other policy matches (its condition is ignored).")
    condition: Mapped[Any | None] = field(JsonType, label="Condition", kind="json",
                                   help='A filter on tickets, such as [["priority", "=", "urgent"]]; empty matches all.')
    calendar_id: Mapped[int | None] = field(ForeignKey("business_calendars.id", ondelete="SET NULL"),
                                            label="Business calendar", index=True,
                                            help="Left empty, targets run around the clock.")
    first_response_minutes: Mapped[int | None] = field(Integer, label="First response (business minutes)")
    next_update_minutes: Mapped[int | None] = field(Integer, label="Next update (business minutes)",
                                                    help="Counted from the customer's last message or the last reply.")
    resolution_minutes: Mapped[int | None] = field(Integer, label="Resolution (business minutes)")
    warning_percent: Mapped[int] = field(Integer, label="Warn at (% of target)", default=80, nullable=False)
    pause_statuses: Mapped[Any | None] = field(JsonType, label="Pausing statuses", kind="json",
                                        help="Ticket statuses that stop the clocks; empty means pending customer "
                                             "and pending third party.")

    calendar: Mapped[BusinessCalendar | None] = relationship(BusinessCalendar)

    @property
    def pausing(self) -> frozenset[str]:
        """Statuses that stop this policy's clocks."""
        return frozenset(self.pause_statuses) if self.pause_statuses else frozenset(DEFAULT_PAUSING)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Check the condition compiles on tickets, targets are positive and statuses exist."""
        from core.domain.saved import check_domain

        from addons.service_desk.models.tickets import STATUSES

        errors: dict[str, list[str]] = {}
        if self.condition:
            try:
                check_domain(env, "tickets", self.condition, domain_field="condition")
            except ValidationFailed as error:
                errors.update(error.errors)
        for name in ("first_response_minutes", "next_update_minutes", "resolution_minutes"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                errors[name] = ["Give a positive number of minutes, or leave it empty for no target."]
        if self.warning_percent is None:
            self.warning_percent = 80
        if not 1 <= self.warning_percent <= 100:
            errors["warning_percent"] = ["Give a percentage between 1 and 100."]
        if self.pause_statuses is not None:
            known = {value for value, _ in STATUSES}
            pausing = known - {"solved", "closed"}
            if not isinstance(self.pause_statuses, list) or not all(
                    isinstance(status, str) and status in pausing for status in self.pause_statuses):
                errors["pause_statuses"] = [f"Give a list of statuses among {', '.join(sorted(known - {'solved', 'closed'}))}."]
        if errors:
            raise ValidationFailed(errors)


class SlaEscalation(Record):
    """What happens when a ticket under a policy gets a warning or breaches a target."""

    __tablename__ = "sla_escalations"
    __label__ = "SLA escalation rule"
    __display_field__ = "name"
    __order__ = ["policy_id", "id"]

    policy_id: Mapped[int] = field(ForeignKey("sla_policies.id", ondelete="CASCADE"), label="Policy",
                                   required=True, index=True)
    name: Mapped[str] = field(String(120), label="Name", required=True)
    on_event: Mapped[str] = field(String(10), label="When", choices=EVENT_KINDS, default="breach", nullable=False)
    target: Mapped[str | None] = field(String(20), label="Target", choices=TARGETS,
                                       help="Left empty, any target.")
    reassign_team_id: Mapped[int | None] = field(ForeignKey("helpdesk_teams.id", ondelete="SET NULL"),
                                                 label="Move to team", help="The team's assignment method then "
                                                                            "picks an agent.")
    reassign_user_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Assign to")
    set_priority: Mapped[str | None] = field(String(10), label="Set priority", choices=[
        ("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")])
    notify_leader: Mapped[bool] = field(Boolean, label="Notify the team leader", default=False, nullable=False)

    policy: Mapped[SlaPolicy] = relationship(SlaPolicy)


class TicketSlaEvent(Record):
    """A warning or a breach of one target of one ticket, for one due time (recorded
    once: the unique key makes the periodic check idempotent)."""

    __tablename__ = "ticket_sla_events"
    __label__ = "SLA event"
    __display_field__ = "kind"
    __order__ = ["-occurred_at"]
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", "kind", "due_at", name="uq_ticket_sla_events_once"),
        Index("ix_ticket_sla_events_kind_time", "kind", "occurred_at"),
    )

    ticket_id: Mapped[int] = field(ForeignKey("tickets.id", ondelete="CASCADE"), label="Ticket", required=True,
                                   index=True)
    policy_id: Mapped[int | None] = field(ForeignKey("sla_policies.id", ondelete="SET NULL"), label="Policy")
    target: Mapped[str] = field(String(20), label="Target", choices=TARGETS, required=True)
    kind: Mapped[str] = field(String(10), label="Event", choices=EVENT_KINDS, required=True)
    due_at: Mapped[datetime] = field(UtcDateTime, label="Due", required=True)
    occurred_at: Mapped[datetime] = field(UtcDateTime, label="Noticed at", required=True)
    escalation: Mapped[str | None] = field(Text, label="Escalation", help="What the escalation rules did.")

    ticket: Mapped[Any] = relationship("Ticket")
