"""Service metrics, computed in SQL over the tickets the acting user may read.

Every figure starts from `env.records.select("tickets", domain)`, so record rules
apply (a team lead sees their team's figures if their rules say so) and nothing is
counted in Python.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, or_, select

from core.db import db
from core.records.grouping import count_by_month, group_by, seconds_between

from addons.service_desk.models.tickets import CHANNELS, DONE_STATUSES, OPEN_STATUSES

__all__ = ["first_response_hours", "resolution_hours", "sla_compliance", "sla_outcome", "compliance_percent",
           "backlog_by_age", "csat", "per_channel", "per_month", "summary", "AGE_BUCKETS"]

#: Backlog age buckets: (label, older than, at most) in days.
AGE_BUCKETS = [("< 1 day", 0, 1), ("1-3 days", 1, 3), ("3-7 days", 3, 7), ("1-4 weeks", 7, 28), ("> 4 weeks", 28, None)]


def _tickets(env: Any, domain: Any = None) -> Any:
    return env.records.subquery("tickets", domain)


def _average_hours(env: Any, column: str, domain: Any) -> float | None:
    tickets = _tickets(env, domain)
    value = db.session.scalar(select(func.avg(cast(seconds_between(tickets.c[column], tickets.c.opened_at), Float)))
                              .where(tickets.c[column].is_not(None)))
    return round(float(value) / 3600, 1) if value is not None else None


def first_response_hours(env: Any, domain: Any = None) -> float | None:
    """Average hours from opening to the first public reply (answered tickets)."""
    return _average_hours(env, "first_response_at", domain)


def resolution_hours(env: Any, domain: Any = None) -> float | None:
    """Average hours from opening to solving (solved tickets)."""
    return _average_hours(env, "resolved_at", domain)


def sla_compliance(env: Any, domain: Any = None) -> dict[str, Any]:
    """Share of decided tickets under an SLA (solved, or breached already) that met every
    target: no breach recorded and no target met late."""
    tickets = _tickets(env, domain)
    breached, decided = sla_outcome(env, tickets)
    row = db.session.execute(select(func.count(), func.sum(case((breached, 1), else_=0))).where(decided)).one()
    total, missed = int(row[0] or 0), int(row[1] or 0)
    return {"decided": total, "breached": missed, "percent": compliance_percent(total, missed)}


def compliance_percent(decided: int, breached: int) -> float | None:
    """The share of `decided` tickets that did not breach, in percent to one decimal; None
    when none was decided."""
    return round(100 * (decided - breached) / decided, 1) if decided else None


def sla_outcome(env: Any, tickets: Any) -> tuple[Any, Any]:
    """SQL conditions on `tickets` (a records subquery): (breached, decided). A ticket under
    an SLA is decided once solved or breached; it breached when a target was met late or a
    breach was recorded (the breach events are read only by who may read them)."""
    breaches = env.records.subquery("ticket_sla_events", [["kind", "=", "breach"]]) \
        if env.policy.can("ticket_sla_events", "read") else None
    late = or_(tickets.c.first_response_at > tickets.c.first_response_due_at,
               tickets.c.resolved_at > tickets.c.resolution_due_at)
    breached = or_(late, tickets.c.id.in_(select(breaches.c.ticket_id))) if breaches is not None else late
    return breached, and_(tickets.c.sla_policy_id.is_not(None), or_(tickets.c.status.in_(DONE_STATUSES), breached))


def backlog_by_age(env: Any, domain: Any = None) -> list[tuple[str, int]]:
    """Open tickets by how long ago they were opened."""
    tickets = _tickets(env, domain)
    now = env.now()
    bucket = case(*[(and_(tickets.c.opened_at <= now - timedelta(days=low),
                          *([tickets.c.opened_at > now - timedelta(days=high)] if high is not None else [])), label)
                    for label, low, high in AGE_BUCKETS], else_=AGE_BUCKETS[0][0])
    rows = dict(db.session.execute(select(bucket, func.count()).where(tickets.c.status.in_(OPEN_STATUSES))
                                   .group_by(bucket)).all())
    return [(label, int(rows.get(label, 0))) for label, _, _ in AGE_BUCKETS]


def csat(env: Any, domain: Any = None) -> dict[str, Any]:
    """Ratings given: count, average (1-5), share of satisfied (4 or 5), and per score."""
    tickets = _tickets(env, domain)
    rated = tickets.c.csat_rating.is_not(None)
    count, average, happy = db.session.execute(
        select(func.count(), func.avg(cast(tickets.c.csat_rating, Float)),
               func.sum(case((tickets.c.csat_rating >= 4, 1), else_=0))).where(rated)).one()
    scores = dict(db.session.execute(select(tickets.c.csat_rating, func.count()).where(rated)
                                     .group_by(tickets.c.csat_rating)).all())
    count = int(count or 0)
    return {"count": count, "average": round(float(average), 2) if average is not None else None,
            "satisfied_percent": round(100 * int(happy or 0) / count, 1) if count else None,
            "by_score": {score: int(scores.get(score, 0)) for score in range(1, 6)}}


def per_channel(env: Any, domain: Any = None) -> list[tuple[str, int]]:
    """Tickets per channel, every channel listed."""
    counts = {g.value: g.count for g in group_by(env.records, "tickets", "channel", domain)}
    return [(value, counts.get(value, 0)) for value, _ in CHANNELS]


def per_month(env: Any, months: int = 12) -> list[tuple[str, int]]:
    """Tickets opened per month, the last `months` months."""
    year, month = env.now().year, env.now().month
    labels = []
    for _ in range(months):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    labels.reverse()
    counts = count_by_month(env.records, "tickets", "opened_at", [["opened_at", ">=", f"{labels[0]}-01"]])
    return [(label, int(counts.get(label, 0))) for label in labels]


def summary(env: Any, domain: Any = None) -> dict[str, Any]:
    """Every metric at once (the API's answer)."""
    return {
        "first_response_hours": first_response_hours(env, domain),
        "resolution_hours": resolution_hours(env, domain),
        "sla_compliance": sla_compliance(env, domain),
        "backlog_by_age": dict(backlog_by_age(env, domain)),
        "csat": csat(env, domain),
        "per_channel": dict(per_channel(env, domain)),
        "open": env.records.count("tickets", [*([domain] if domain else []), ["status", "in", list(OPEN_STATUSES)]]).value,
    }
