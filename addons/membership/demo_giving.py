"""Demo giving programmes beside the one-off gifts: monthly and quarterly donors with their
instalments received (one missed), major donors' pledges paid in part and credited to the
board member who asked, and tax receipts of the last months' gifts (one void).

Deterministic for a seed and a day; members are named by their number (`demo.py`)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from core.declarations import DataRecord, Ref

from addons.membership.recurring import next_instalment

__all__ = ["giving_records"]

_RECURRING_DONORS = range(7, 500, 25)
_PLEDGE_DONORS = range(3, 500, 40)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), timezone.utc)


def _member(number: int) -> Ref:
    return Ref(f"membership.demo_member_{number}")


def _recurring(rng: random.Random, number: int, today: date) -> list[DataRecord]:
    """A recurring donor: their instalments so far received (the last one missed for one
    donor in five), and the day of the next one."""
    xid = f"membership.demo_recurring_{number}"
    frequency = "monthly" if number % 3 else "quarterly"
    start = today - timedelta(days=rng.randint(45, 420))
    amount = Decimal(rng.choice([10, 15, 20, 25, 40]) * (3 if frequency == "quarterly" else 1))
    values = {"contact_id": _member(number), "amount": amount, "frequency": frequency, "start_date": start,
              "fund_id": Ref("membership.demo_fund_general"), "payment_method": "direct_debit"}
    records = [DataRecord(xid, "recurring_donations", at=_at(start), values=values)]
    count = 0
    while (day := next_instalment(start, frequency, count)) <= today:
        last = next_instalment(start, frequency, count + 1) > today
        missed = number % 5 == 2 and last and day < today - timedelta(days=14)
        records.append(DataRecord(f"{xid}_{count}", "donations", at=_at(day), values={
            "contact_id": _member(number), "recurring_id": Ref(xid), "amount": amount, "received_on": day,
            "fund_id": Ref("membership.demo_fund_general"), "payment_method": "direct_debit",
            "status": "missed" if missed else "received"}))
        count += 1
    # Shipped again: the instalments so far are in, the next one is due on its day.
    records.append(DataRecord(xid, "recurring_donations", at=_at(today), values={
        **values, "next_due": next_instalment(start, frequency, count)}))
    return records


def _pledge(rng: random.Random, number: int, today: date) -> list[DataRecord]:
    """A major donor's pledge in four quarterly instalments, those due so far paid, each
    payment credited to the board member who asked for it."""
    xid = f"membership.demo_pledge_{number}"
    pledged_on = today - timedelta(days=rng.randint(60, 330))
    amount = Decimal(rng.choice([1000, 2000, 2500, 5000]))
    fund = Ref(f"membership.demo_fund_{'building' if number % 2 else 'scholarships'}")
    records = [DataRecord(xid, "pledges", at=_at(pledged_on), values={
        "contact_id": _member(number), "amount": amount, "pledged_on": pledged_on, "fund_id": fund,
        "instalments": 4, "frequency": "quarterly"})]
    for instalment in range(4):
        day = next_instalment(pledged_on, "quarterly", instalment) + timedelta(days=3)
        if day > today:
            break
        gift = f"{xid}_{instalment}"
        records += [DataRecord(gift, "donations", at=_at(day), values={
                        "contact_id": _member(number), "pledge_id": Ref(xid), "amount": amount / 4,
                        "received_on": day, "fund_id": fund, "appeal": "Building appeal" if number % 2 else None,
                        "payment_method": "transfer"}),
                    DataRecord(f"{gift}_credit", "soft_credits", at=_at(day), values={
                        "donation_id": Ref(gift), "contact_id": _member(number + 1), "role": "fundraiser"})]
    return records


def _receipts(records: list[DataRecord], today: date) -> list[DataRecord]:
    """Receipts of the received gifts of the last four months among `records`, numbered in
    the order they were issued; the first one void and issued again."""
    recent = sorted((record for record in records if record.model == "donations"
                     and record.values.get("status", "received") == "received"
                     and record.values["received_on"] >= today - timedelta(days=120)),
                    key=lambda record: (record.values["received_on"], record.xid))
    receipts = []
    for gift in recent:
        issued = min(gift.values["received_on"] + timedelta(days=3), today)
        receipts.append(DataRecord(f"{gift.xid}_receipt", "receipts", at=_at(issued), values={
            "kind": "donation", "contact_id": gift.values["contact_id"], "donation_id": Ref(gift.xid),
            "year": gift.values["received_on"].year, "amount": gift.values["amount"], "currency": "EUR",
            "issued_on": issued}))
    if receipts:
        first = receipts[0]
        voided = first.values["issued_on"] + timedelta(days=1)
        receipts += [DataRecord(first.xid, "receipts", at=_at(voided), values={
                         **first.values, "status": "void", "voided_at": _at(voided),
                         "void_reason": "Issued to the wrong donor name; reissued."}),
                     DataRecord(f"{first.xid}_again", "receipts", at=_at(voided), values={
                         **first.values, "issued_on": voided})]
    return receipts


def giving_records(seed: int, today: date) -> list[DataRecord]:
    """Recurring donors, pledges with their soft credits, and receipts."""
    rng = random.Random(seed + 7)
    records: list[DataRecord] = []
    for number in _RECURRING_DONORS:
        records += _recurring(rng, number, today)
    for number in _PLEDGE_DONORS:
        records += _pledge(rng, number, today)
    return records + _receipts(records, today)
