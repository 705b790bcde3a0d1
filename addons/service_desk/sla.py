"""SLA policies applied to tickets: which policy, the due times, and the stored SLA state.

Everything here is derived from the ticket's fields, its status history and its
recorded SLA events, never from the current time: `refresh` gives the same result
whenever it runs. Only the periodic check (`addons.service_desk.sweep`) compares due
times with the clock, and it records what it noticed as events.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.db import db

from addons.service_desk.lookup import all_records
from addons.service_desk.calendars import load_calendar
from core.business_time import Calendar, add_business_time, clip_windows, pause_windows
from addons.service_desk.models.tickets import DONE_STATUSES

__all__ = ["Clock", "match_policy", "clocks_of", "refresh", "status_history", "recorded_events", "tickets_to_check"]


@dataclass(frozen=True)
class Clock:
    """One SLA target of one ticket: when it started, when it is due, when to warn."""

    target: str
    start: datetime
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the target is still to be met."""
        return self.met_at is None


def match_policy(env: Any, ticket: Any) -> Any | None:
    """The first active policy (by sequence) whose condition matches the ticket as stored,
    else the fallback policy, else None."""
    from addons.service_desk.models.sla import SlaPolicy

    records = env.sudo().records
    fallback = None
    for policy in all_records(env.sudo(), "sla_policies", [["active", "=", True]], [SlaPolicy.sequence, SlaPolicy.id]):
        if policy.is_fallback:
            fallback = fallback or policy
        elif not policy.condition or _matches(records, type(ticket), ticket.id, policy.condition):
            return policy
    return fallback


def _matches(records: Any, model: Any, ticket_id: int, condition: Any) -> bool:
    statement = records.select("tickets", condition).where(model.id == ticket_id).with_only_columns(model.id)
    return db.session.scalar(statement.limit(1)) is not None


def status_history(env: Any, ticket_id: int) -> list[tuple[datetime, str]]:
    """(changed_at, status) of every status the ticket entered, oldest first."""
    from addons.service_desk.models.tickets import TicketStatusChange as Change

    rows = all_records(env.sudo(), "ticket_status_history", [["ticket_id", "=", ticket_id]], [Change.changed_at, Change.id])
    return [(row.changed_at, row.status) for row in rows]


def recorded_events(env: Any, ticket_id: int) -> set[tuple[str, str, datetime]]:
    """(target, kind, due_at) of the SLA events recorded for the ticket."""
    from addons.service_desk.models.sla import TicketSlaEvent as Event

    rows = all_records(env.sudo(), "ticket_sla_events", [["ticket_id", "=", ticket_id]], [Event.id])
    return {(row.target, row.kind, row.due_at) for row in rows}


def _clock(calendar: Calendar, target: str, start: datetime, minutes: int, windows: list[Any],
           met_at: datetime | None, warning_percent: int) -> Clock:
    pauses = clip_windows(windows, met_at)
    due = add_business_time(calendar, start, timedelta(minutes=minutes), pauses)
    warn = add_business_time(calendar, start, timedelta(seconds=round(minutes * 60 * warning_percent / 100)), pauses)
    return Clock(target, start, due, warn, met_at)


def clocks_of(env: Any, ticket: Any, policy: Any, history: list[tuple[datetime, str]] | None = None) -> list[Clock]:
    """The ticket's clocks under `policy`: first response and resolution from the opening
    time; next update from the customer's last message or the last public reply."""
    calendar = load_calendar(env, policy.calendar_id)
    history = status_history(env, ticket.id) if history is None else history
    windows = pause_windows(history, policy.pausing | set(DONE_STATUSES))
    percent = policy.warning_percent
    clocks = []
    if policy.first_response_minutes:
        clocks.append(_clock(calendar, "first_response", ticket.opened_at, policy.first_response_minutes, windows,
                             ticket.first_response_at, percent))
    if policy.next_update_minutes and ticket.status not in DONE_STATUSES:
        start = max(moment for moment in (ticket.opened_at, ticket.last_customer_message_at, ticket.last_agent_reply_at)
                    if moment is not None)
        clocks.append(_clock(calendar, "next_update", start, policy.next_update_minutes, windows, None, percent))
    if policy.resolution_minutes:
        clocks.append(_clock(calendar, "resolution", ticket.opened_at, policy.resolution_minutes, windows,
                             ticket.resolved_at, percent))
    return clocks


def _state(ticket: Any, policy: Any, clocks: list[Clock], events: set[tuple[str, str, datetime]]) -> str:
    def breached(clock: Clock) -> bool:
        late = clock.met_at is not None and clock.due_at is not None and clock.met_at > clock.due_at
        return late or (clock.target, "breach", clock.due_at) in events

    active = [clock for clock in clocks if clock.active]
    if any(breached(clock) for clock in clocks):
        return "breached"
    if any((clock.target, "warning", clock.due_at) in events for clock in active):
        return "warning"
    if not active:
        return "met"
    if ticket.status in policy.pausing and any(clock.due_at is None for clock in active):
        return "paused"
    return "on_track"


def _next_check(clocks: list[Clock], events: set[tuple[str, str, datetime]]) -> datetime | None:
    moments = []
    for clock in clocks:
        if not clock.active or clock.due_at is None:
            continue
        if (clock.target, "breach", clock.due_at) in events:
            continue
        if (clock.target, "warning", clock.due_at) not in events and clock.warn_at is not None:
            moments.append(clock.warn_at)
        moments.append(clock.due_at)
    return min(moments) if moments else None


def _set(record: Any, name: str, value: Any) -> None:
    # Assign only real changes, so a refresh that changes nothing writes nothing.
    if getattr(record, name) != value:
        setattr(record, name, value)


def refresh(env: Any, ticket: Any) -> list[Clock]:
    """Choose the ticket's policy and store its due times and SLA state; returns the clocks.

    Called after every change of a ticket, its messages or its status, and by the
    periodic check. Writes the derived, read-only fields of the ticket directly (they
    are the platform's to set) and flushes."""
    policy = match_policy(env, ticket)
    if policy is None:
        for name in ("sla_policy_id", "first_response_due_at", "next_update_due_at", "resolution_due_at",
                     "sla_status", "sla_next_due_at", "sla_check_at"):
            _set(ticket, name, None)
        db.session.flush()
        return []
    clocks = clocks_of(env, ticket, policy)
    events = recorded_events(env, ticket.id)
    due = {clock.target: clock.due_at for clock in clocks}
    _set(ticket, "sla_policy_id", policy.id)
    _set(ticket, "first_response_due_at", due.get("first_response"))
    _set(ticket, "next_update_due_at", due.get("next_update"))
    _set(ticket, "resolution_due_at", due.get("resolution"))
    active_dues = [clock.due_at for clock in clocks if clock.active and clock.due_at is not None]
    _set(ticket, "sla_next_due_at", min(active_dues) if active_dues else None)
    _set(ticket, "sla_check_at", _next_check(clocks, events) if ticket.status not in DONE_STATUSES else None)
    _set(ticket, "sla_status", _state(ticket, policy, clocks, events))
    db.session.flush()
    return clocks


def tickets_to_check(env: Any, now: datetime) -> Any:
    """The SELECT of open tickets whose next SLA check has come, earliest first."""
    from addons.service_desk.models.tickets import OPEN_STATUSES, Ticket

    return env.records.select("tickets", [["sla_check_at", "<=", now], ["status", "in", list(OPEN_STATUSES)]]) \
        .order_by(Ticket.sla_check_at, Ticket.id)

