"""A pledge's paid total and balance, kept by the received donations that name it."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import signals
from core.db import db
from core.declarations import EventHandler
from core.env import Env

from addons.membership.models import Donation

__all__ = ["refresh_pledge", "pledge_handlers"]


def refresh_pledge(env: Env, pledge_id: int, *, leaving: int | None = None) -> None:
    """Set the pledge's paid total from its received donations (but `leaving`, a donation
    being deleted), in one SUM."""
    paid = db.session.scalar(select(func.coalesce(func.sum(Donation.amount), 0)).where(
        Donation.pledge_id == pledge_id, Donation.status == "received", Donation.id != (leaving or 0)))
    env.sudo().records.update("pledges", pledge_id, {"paid": Decimal(paid)})


def _pledges_touched(record: Any, changes: dict[str, Any] | None) -> set[int]:
    touched = {record.pledge_id} if record.pledge_id is not None else set()
    if changes and "pledge_id" in changes and changes["pledge_id"][0] is not None:
        touched.add(changes["pledge_id"][0])
    return touched


def _donation_written(_sender: str, record: Any, env: Env, changes: dict[str, Any] | None = None,
                      **_kw: Any) -> None:
    if changes is None or changes.keys() & {"pledge_id", "amount", "status"}:
        for pledge_id in _pledges_touched(record, changes):
            refresh_pledge(env, pledge_id)


def _donations_created(_sender: str, ids: list[int], env: Env, **_kw: Any) -> None:
    pledges = db.session.scalars(select(Donation.pledge_id).where(Donation.id.in_(ids), Donation.pledge_id.isnot(None))
                                 .distinct())
    for pledge_id in sorted(pledges):
        refresh_pledge(env, pledge_id)


def _donation_deleted(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    if record.pledge_id is not None:
        refresh_pledge(env, record.pledge_id, leaving=record.id)


def pledge_handlers() -> list[EventHandler]:
    """Pledges' totals kept as their donations are written, in the same transaction (once
    per pledge for donations written in a batch)."""
    return [EventHandler(signals.record_created, _donation_written, sender="donations", transactional=True,
                         batch=_donations_created),
            EventHandler(signals.record_updated, _donation_written, sender="donations", transactional=True),
            EventHandler(signals.record_deleted, _donation_deleted, sender="donations", transactional=True)]
