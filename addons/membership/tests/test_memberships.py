"""Memberships in the database: the end from the level, the status of the platform's day,
the daily sweep (idempotent), payments that activate and renew (from the old end in time
or in grace, anew after expiry), every status change on the member's timeline, and bad
input answered 422 with the field."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env

from addons.contacts.models import Interaction
from addons.membership.models import Membership
from addons.membership.tests.conftest import Levels, at

pytestmark = pytest.mark.spectrum_addons("membership")


def _join(clock: Any, member: int, type_id: int, start: date, *, paid_on: date | None = None) -> int:
    """A membership starting on `start`, created that day, paid on `paid_on` if given."""
    clock.set(at(start))
    env = Env.system()
    membership = env.records.create("memberships", {"contact_id": member, "type_id": type_id, "start_date": start})
    db.session.commit()
    if paid_on is not None:
        _pay(clock, membership.id, paid_on)
    return membership.id


def _pay(clock: Any, membership_id: int, day: date) -> Any:
    clock.set(at(day))
    payment = Env.system().records.create("membership_payments", {
        "membership_id": membership_id, "amount": "60", "paid_on": day, "method": "card"})
    db.session.commit()
    return payment


def _membership(membership_id: int) -> Membership:
    db.session.expire_all()
    found = db.session.get(Membership, membership_id)
    assert found is not None
    return found


def _timeline(contact_id: int) -> list[str]:
    return list(db.session.scalars(select(Interaction.subject).where(
        Interaction.contact_id == contact_id, Interaction.related_model == "memberships").order_by(Interaction.id)))


def test_a_yearly_membership_goes_new_current_grace_expired(clock: Any, levels: Levels, member: int,
                                                            sweep: Callable[[date], Any]) -> None:
    membership_id = _join(clock, member, levels.yearly, date(2026, 1, 1))
    assert (_membership(membership_id).status, _membership(membership_id).end_date) == ("pending", date(2026, 12, 31))
    _pay(clock, membership_id, date(2026, 1, 1))
    assert _membership(membership_id).status == "new"
    assert sweep(date(2026, 12, 31)) == {"refreshed": 1}
    assert _membership(membership_id).status == "current"
    sweep(date(2027, 1, 15))
    assert _membership(membership_id).status == "grace"
    sweep(date(2027, 2, 1))
    assert _membership(membership_id).status == "expired"
    assert _membership(membership_id).status_until is None
    assert sweep(date(2027, 2, 2)) == {"refreshed": 0}
    assert _timeline(member) == ["Membership Individual: Pending", "Membership Individual: Pending → New",
                                 "Membership Individual: New → Current", "Membership Individual: Current → Grace",
                                 "Membership Individual: Grace → Expired"]


def test_the_sweep_changes_each_membership_once(clock: Any, levels: Levels, member: int,
                                                sweep: Callable[[date], Any]) -> None:
    first = _join(clock, member, levels.yearly, date(2026, 1, 1), paid_on=date(2026, 1, 1))
    later = _join(clock, member, levels.yearly, date(2026, 6, 1), paid_on=date(2026, 6, 1))
    assert sweep(date(2027, 1, 15)) == {"refreshed": 2}
    assert (_membership(first).status, _membership(later).status) == ("grace", "current")
    assert sweep(date(2027, 1, 15)) == {"refreshed": 0}


def test_renewed_in_grace_it_runs_on_from_the_old_end(clock: Any, levels: Levels, member: int,
                                                      sweep: Callable[[date], Any]) -> None:
    membership_id = _join(clock, member, levels.yearly, date(2026, 1, 1), paid_on=date(2026, 1, 1))
    sweep(date(2027, 1, 15))
    payment = _pay(clock, membership_id, date(2027, 1, 15))
    assert (payment.kind, payment.period_start, payment.period_end) == ("renewal", date(2027, 1, 1),
                                                                        date(2027, 12, 31))
    renewed = _membership(membership_id)
    assert (renewed.start_date, renewed.end_date, renewed.status) == (date(2026, 1, 1), date(2027, 12, 31),
                                                                      "current")
    assert _timeline(member)[-1] == "Membership Individual: Grace → Current"


def test_renewed_after_expiry_it_starts_anew_on_the_payment_day(clock: Any, levels: Levels, member: int,
                                                                sweep: Callable[[date], Any]) -> None:
    membership_id = _join(clock, member, levels.yearly, date(2026, 1, 1), paid_on=date(2026, 1, 1))
    sweep(date(2027, 2, 1))
    _pay(clock, membership_id, date(2027, 3, 1))
    renewed = _membership(membership_id)
    assert (renewed.join_date, renewed.start_date, renewed.end_date, renewed.status) == (
        date(2026, 1, 1), date(2027, 3, 1), date(2028, 2, 29), "current")


def test_a_late_joiner_of_a_calendar_year_level_is_a_member_to_the_end_of_next_year(
        clock: Any, levels: Levels, member: int) -> None:
    late = _join(clock, member, levels.calendar, date(2026, 10, 15), paid_on=date(2026, 10, 15))
    early = _join(clock, member, levels.calendar, date(2026, 9, 30))
    assert _membership(late).end_date == date(2027, 12, 31)
    assert _membership(early).end_date == date(2026, 12, 31)


def test_a_cancelled_membership_is_no_longer_swept_nor_renewed(clock: Any, levels: Levels, member: int,
                                                               sweep: Callable[[date], Any], api_as: Any,
                                                               admin: Any) -> None:
    membership_id = _join(clock, member, levels.yearly, date(2026, 1, 1), paid_on=date(2026, 1, 1))
    Env.system().records.update("memberships", membership_id, {"end_reason": "cancelled"})
    db.session.commit()
    assert (_membership(membership_id).status, _membership(membership_id).status_until) == ("cancelled", None)
    assert sweep(date(2027, 2, 1)) == {"refreshed": 0}
    answer = api_as(admin).post("/api/v1/membership_payments", json={
        "membership_id": membership_id, "amount": "60", "paid_on": "2027-02-01"})
    assert answer.status_code == 422
    assert "membership_id" in answer.get_json()["errors"]


def test_bad_input_is_refused_with_the_field(levels: Levels, member: int, api_as: Any, admin: Any,
                                             clock: Any) -> None:
    api = api_as(admin)
    nobody = api.post("/api/v1/memberships", json={"type_id": levels.yearly, "start_date": "2026-01-01"})
    assert nobody.status_code == 422 and "contact_id" in nobody.get_json()["errors"]
    backwards = api.post("/api/v1/memberships", json={"contact_id": member, "type_id": levels.yearly,
                                                      "start_date": "2026-01-01", "end_date": "2025-12-31"})
    assert backwards.status_code == 422 and "end_date" in backwards.get_json()["errors"]
    half_cutoff = api.post("/api/v1/membership_types", json={"name": "Odd", "period": "calendar_year",
                                                             "cutoff_month": 10})
    assert half_cutoff.status_code == 422 and "cutoff_day" in half_cutoff.get_json()["errors"]
    created = api.post("/api/v1/memberships", json={"contact_id": member, "type_id": levels.yearly,
                                                    "start_date": "2026-01-01"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "pending"


def test_payments_announced_in_a_batch_apply_in_order_with_one_write_each(clock: Any, levels: Levels,
                                                                           member: int) -> None:
    """As an addon's data load writes them: a membership, its first payment and two
    renewals (one in grace), announced together at the end."""
    from core.events import creations_announced_in_batches

    env = Env.system()
    clock.set(at(date(2024, 3, 1)))
    with creations_announced_in_batches(env):
        membership = env.records.create("memberships", {"contact_id": member, "type_id": levels.yearly,
                                                        "start_date": date(2024, 3, 1)})
        for day in (date(2024, 3, 1), date(2025, 2, 20), date(2026, 3, 20)):
            env.records.create("membership_payments", {"membership_id": membership.id, "amount": "60",
                                                       "paid_on": day})
        assert not membership.paid, "nothing is applied before the batch is announced"
    db.session.commit()
    payments = env.records.search("membership_payments", [["membership_id", "=", membership.id]],
                                  order="paid_on").records
    assert [(p.kind, p.period_start, p.period_end) for p in payments] == [
        ("first", date(2024, 3, 1), date(2025, 2, 28)), ("renewal", date(2025, 3, 1), date(2026, 2, 28)),
        ("renewal", date(2026, 3, 1), date(2027, 2, 28))]
    membership = env.records.get("memberships", membership.id)
    assert (membership.paid, membership.start_date, membership.end_date) == (True, date(2024, 3, 1),
                                                                             date(2027, 2, 28))
    notes = db.session.scalars(select(Interaction.subject).where(Interaction.related_id == membership.id,
                                                                 Interaction.related_model == "memberships")
                               .order_by(Interaction.id)).all()
    assert notes == ["Membership Individual: Pending", "Membership Individual: Pending → New"]
