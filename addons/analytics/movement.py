"""Movement between RFM segments month over month, from the monthly snapshots, counted
in SQL as the reader (their record rules on snapshots apply)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, literal, null, select, union_all

from core.db import db
from core.env import Env

__all__ = ["Movement", "segment_movement", "previous_month"]


@dataclass(frozen=True)
class Movement:
    """How many contacts were in segment `before` in the previous month and in `after` in
    `month` (None: not a scored customer that month)."""

    before: str | None
    after: str | None
    contacts: int


def previous_month(month: date) -> date:
    """The first day of the month before `month`'s."""
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def segment_movement(env: Env, month: date) -> list[Movement]:
    """Contacts per (segment the month before, segment in `month`), largest first."""
    before_month = previous_month(month)
    before = env.records.subquery("analytics_rfm_snapshots", [["month", "=", before_month]])
    after = env.records.subquery("analytics_rfm_snapshots", [["month", "=", month.replace(day=1)]])
    stayed_or_left = select(before.c.segment.label("before"), after.c.segment.label("after")) \
        .join_from(before, after, after.c.contact_id == before.c.contact_id, isouter=True)
    arrived = select(null().label("before"), after.c.segment.label("after")).where(
        ~exists(select(literal(1)).where(before.c.contact_id == after.c.contact_id)))
    moves = union_all(stayed_or_left, arrived).subquery("moves")
    counted = select(moves.c.before, moves.c.after, func.count().label("contacts")) \
        .group_by(moves.c.before, moves.c.after).order_by(func.count().desc(), moves.c.before, moves.c.after)
    return [Movement(row.before, row.after, int(row.contacts)) for row in db.session.execute(counted)]
