"""The periodic SLA check: warnings, breaches and escalations, each recorded once.

A ticket is looked at when its `sla_check_at` (the next warning or due time not yet
acted on, kept by `sla.refresh`) has come. What the check notices becomes a
`ticket_sla_events` row, unique per (ticket, target, kind, due time), and the ticket's
`sla_check_at` moves past it, so a second run finds nothing to do and two workers
never act twice (rows are claimed FOR UPDATE SKIP LOCKED on PostgreSQL).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.declarations import Job
from core.events import emit
from core.jobs import JobContext, claim_rows

from addons.service_desk import sla
from addons.service_desk.lookup import all_records
from addons.service_desk.models.sla import TARGETS
from addons.service_desk.signals import ticket_sla_breached, ticket_sla_warning

__all__ = ["check_slas", "check_ticket", "escalate", "sla_jobs", "BATCH"]

#: Tickets claimed and committed together.
BATCH = 200


def check_slas(ctx: JobContext) -> dict[str, int]:
    """The job: every ticket whose check time has come, batch by batch."""
    env, now = ctx.env, ctx.now()
    totals = {"checked": 0, "warnings": 0, "breaches": 0}
    seen: set[int] = set()
    while True:
        tickets = [t for t in claim_rows(sla.tickets_to_check(env, now), limit=BATCH) if t.id not in seen]
        for ticket in tickets:
            seen.add(ticket.id)
            check_ticket(env, ticket, now, totals)
        ctx.commit()
        if len(tickets) < BATCH:
            return totals


def check_ticket(env: Any, ticket: Any, now: datetime, totals: dict[str, int]) -> None:
    """Record the warnings and breaches of one ticket that have come by `now`, escalate, announce."""
    clocks = sla.refresh(env, ticket)
    events = sla.recorded_events(env, ticket.id)
    policy_id = ticket.sla_policy_id
    totals["checked"] += 1
    for clock in clocks:
        if not clock.active or clock.due_at is None or (clock.target, "breach", clock.due_at) in events:
            continue
        if clock.due_at <= now:
            kind = "breach"
        elif clock.warn_at is not None and clock.warn_at <= now and (clock.target, "warning", clock.due_at) not in events:
            kind = "warning"
        else:
            continue
        event = env.records.create("ticket_sla_events", {
            "ticket_id": ticket.id, "policy_id": policy_id, "target": clock.target, "kind": kind,
            "due_at": clock.due_at, "occurred_at": now,
        })
        done = escalate(env, ticket, policy_id, clock.target, kind, clock.due_at)
        if done:
            env.records.update("ticket_sla_events", event.id, {"escalation": done})
        totals["breaches" if kind == "breach" else "warnings"] += 1
        signal = ticket_sla_breached if kind == "breach" else ticket_sla_warning
        emit(signal, "tickets", ticket=ticket, target=clock.target, due_at=clock.due_at, event=event, env=env)
    sla.refresh(env, ticket)


def escalate(env: Any, ticket: Any, policy_id: int | None, target: str, kind: str, due_at: datetime) -> str | None:
    """Apply the policy's escalation rules for this event; returns what they did, also
    posted on the ticket as an internal note."""
    from addons.service_desk.models.sla import SlaEscalation

    if policy_id is None:
        return None
    rules = all_records(env, "sla_escalations", [
        ["policy_id", "=", policy_id], ["on_event", "=", kind],
        {"or": [["target", "is null", None], ["target", "=", target]]},
    ], [SlaEscalation.id])
    done: list[str] = []
    for rule in rules:
        values: dict[str, Any] = {}
        if rule.set_priority:
            values["priority"] = rule.set_priority
        if rule.reassign_user_id is not None:
            values["assignee_id"] = rule.reassign_user_id
        elif rule.reassign_team_id is not None:
            values.update(team_id=rule.reassign_team_id, assignee_id=None)
        if values:
            env.records.update("tickets", ticket.id, values)
            done.append(f"{rule.name}: {', '.join(f'{k} set' for k in values)}")
        if rule.notify_leader:
            done.append(f"{rule.name}: {_notify_leader(env, ticket, target, kind, due_at)}")
    if done:
        label = dict(TARGETS)[target].lower()
        env.records.create("ticket_messages", {
            "ticket_id": ticket.id, "internal": True,
            "body": f"SLA {'breach' if kind == 'breach' else 'warning'} ({label}, due {due_at:%Y-%m-%d %H:%M} UTC). "
                    + "; ".join(done) + ".",
        })
    return "; ".join(done) or None


def _notify_leader(env: Any, ticket: Any, target: str, kind: str, due_at: datetime) -> str:
    from core.mail.outbound import send_mail

    if ticket.team_id is None:
        return "no team, no leader to notify"
    team = env.sudo().records.get("helpdesk_teams", ticket.team_id)
    leader = env.sudo().records.get("users", team.leader_id) if team.leader_id else None
    if leader is None or not leader.email:
        return f"team {team.name} has no leader with an email address"
    what = "breached" if kind == "breach" else "is close to breaching"
    send_mail(env.sudo(), leader.email, to_name=leader.name, record=("tickets", ticket.id), track=False,
              channel="email.service",
              subject=f"SLA {kind}: {{{{ record.display_name }}}}",
              text=f"Ticket {{{{ record.display_name }}}} {what} its {dict(TARGETS)[target].lower()} target "
                   f"(due {due_at:%Y-%m-%d %H:%M} UTC).\nPriority: {{{{ record.priority }}}}\n")
    return f"leader {leader.name} notified"


def sla_jobs() -> list[Job]:
    """`service_desk.sla_check`, every minute."""
    return [Job("service_desk.sla_check", check_slas, every=timedelta(minutes=1), timeout=timedelta(minutes=10),
                description="Record SLA warnings and breaches of tickets, escalate, and announce them.")]
