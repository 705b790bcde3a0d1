"""Demo data: a society with three levels, 500 members over the past two years in every
status (renewing in time, in grace, lapsing, cancelled), online payments by transfer
(paid, awaited, expired), households, two years of gifts to three funds, recurring
donors, pledges with soft credits and receipts (`demo_giving.py`), a volunteer programme
with past and coming shifts, and directory entries.

Members are their own contacts, owned by the two demo membership users. Records are
made at their own time (`DataRecord.at`); memberships, their payments and gifts are
announced in batches at the end of the load (their handlers' batch forms), so the
payments bring each membership to its status of today."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from core.declarations import DataRecord, Ref
from core.platform import platform

from addons.membership.demo_giving import giving_records
from addons.membership.periods import Terms, period_end, renewal_period

__all__ = ["demo_records", "MEMBERS"]

MEMBERS = 500
_HOUSEHOLDS = 60
_USERS = [("maya", "Maya Lindqvist", "membership.officer"), ("olu", "Olu Adeyemi", "membership.manager")]
#: (key, name, fee, terms as the level sets them)
_LEVELS = [("individual", "Individual", "60", {"period": "rolling", "duration_months": 12, "grace_days": 30}),
           ("family", "Family", "95", {"period": "rolling", "duration_months": 12, "grace_days": 30}),
           ("patron", "Patron", "250", {"period": "calendar_year", "cutoff_month": 10, "cutoff_day": 1,
                                        "grace_days": 45})]
_FUNDS = [("general", "General fund", "GEN"), ("building", "Building appeal", "BLD"),
          ("scholarships", "Scholarships", "SCH")]
_APPEALS = ["Spring appeal", "Year-end appeal", "Gala dinner", None, None]
_ROLES = [("steward", "Event steward", "first aid"), ("driver", "Driver", "driving"),
          ("shop", "Charity shop assistant", "retail")]
_FIRST = ["Anna", "Ben", "Clara", "Dev", "Elif", "Finn", "Grace", "Hamid", "Ines", "Jon", "Kasia", "Liam", "Mona",
          "Nils", "Olga", "Pablo", "Rhea", "Sven", "Tess", "Umar", "Vida", "Wim", "Yara", "Zeno"]
_LAST = ["Smith", "Okafor", "Novak", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad", "Ito",
         "Jensen", "Keller", "Larsen", "Moreau", "Nagy", "Olsen", "Petit", "Quinn", "Rossi"]
_CITIES = ["Lyon", "Paris", "Grenoble", "Annecy", "Marseille", "Dijon"]
_SKILLS = ["first aid", "driving", "retail", "languages", "cooking"]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), timezone.utc)


def _terms(key: str) -> Terms:
    values = dict(_LEVELS[[level[0] for level in _LEVELS].index(key)][3])
    cutoff = (values["cutoff_month"], values["cutoff_day"]) if "cutoff_month" in values else None
    return Terms(period=values["period"], months=values.get("duration_months", 12), cutoff=cutoff,
                 grace_days=values["grace_days"])


def _programme() -> list[DataRecord]:
    records = [DataRecord(f"membership.demo_user_{login}", "users", {
        "login": login, "name": name, "email": f"{login}@society.example.org", "kind": "internal",
        "roles": [Ref(role)]}) for login, name, role in _USERS]
    records += [DataRecord(f"membership.demo_level_{key}", "membership_types", {"name": name, "fee": fee, **terms})
                for key, name, fee, terms in _LEVELS]
    records += [DataRecord(f"membership.demo_fund_{key}", "funds", {"name": name, "code": code})
                for key, name, code in _FUNDS]
    records += [DataRecord(f"membership.demo_role_{key}", "volunteer_roles", {"name": name, "skills": skills})
                for key, name, skills in _ROLES]
    return records


def _payments(rng: random.Random, xid: str, level: str, start: date, today: date) -> list[DataRecord]:
    """The first payment, then a renewal each period while the member keeps renewing
    (in time, or late in grace); a lapsing member stops."""
    terms = _terms(level)
    fee = {key: fee for key, _name, fee, _terms in _LEVELS}[level]
    method = rng.choice(["card", "direct_debit", "transfer", "online"])
    records = [DataRecord(f"{xid}_pay_1", "membership_payments", at=_at(start), values={
        "membership_id": Ref(xid), "amount": fee, "paid_on": start, "method": method})]
    end = period_end(terms, start)
    while end < today and rng.random() < 0.8:
        paid_on = min(end + timedelta(days=rng.randint(-40, terms.grace_days - 5)), today)
        records.append(DataRecord(f"{xid}_pay_{len(records) + 1}", "membership_payments", at=_at(paid_on), values={
            "membership_id": Ref(xid), "amount": fee, "paid_on": paid_on, "method": method}))
        end = renewal_period(terms, end, paid_on)[1]
    return records


def _member(rng: random.Random, number: int, today: date) -> list[DataRecord]:
    """A member: their contact (one in three in a household, sharing its name and
    city), their membership and its payments, perhaps their directory entry. About 3 %
    cancelled, 1 % deceased, 3 % joined lately and not paid yet; the others paid and
    renewed, or lapsed, as time went."""
    fate = rng.random()
    joined = today - timedelta(days=rng.randint(0, 30) if fate >= 0.97 else rng.randint(0, 730))
    first, last, city = rng.choice(_FIRST), rng.choice(_LAST), rng.choice(_CITIES)
    contact = f"membership.demo_member_{number}"
    values: dict[str, Any] = {"owner_id": Ref(f"membership.demo_user_{_USERS[number % 2][0]}"),
                              "consent_email": rng.random() < 0.8, "country": "FR",
                              "volunteer_skills": ", ".join(rng.sample(_SKILLS, 2)) if number % 5 == 0 else None}
    if number % 3 == 0:
        household = (number // 3) % _HOUSEHOLDS
        last, city = _household_name(household)
        values["household_id"] = Ref(f"membership.demo_household_{household}")
    values.update({"first_name": first, "last_name": last, "city": city,
                   "email": f"{first}.{last}.{number}@members.example.org".lower()})
    records = [DataRecord(contact, "contacts", at=_at(joined), values=values)]
    level = rng.choices(["individual", "family", "patron"], [70, 22, 8])[0]
    membership = f"membership.demo_membership_{number}"
    values = {"contact_id": Ref(contact), "type_id": Ref(f"membership.demo_level_{level}"), "start_date": joined,
              "source": rng.choice(["web", "mail", "event", "referral", "staff"]), "reference": f"M-{10000 + number}"}
    if fate < 0.04:
        values["end_reason"] = "cancelled" if fate < 0.03 else "deceased"
    records.append(DataRecord(membership, "memberships", at=_at(joined), values=values))
    if fate >= 0.04 and fate < 0.97:
        payments = _payments(rng, membership, level, joined, today)
        checkout = _paid_checkout(number, membership, payments[-1])
        if checkout is not None:  # the payment quotes the online payment's reference
            payments[-1] = replace(payments[-1], values={**payments[-1].values,
                                                         "reference": checkout.values["reference"]})
            payments.append(checkout)
        records += payments
    elif fate >= 0.97:
        records += _awaited_checkout(number, membership, level, joined, today)
    if number % 6 == 0:
        records.append(DataRecord(f"membership.demo_entry_{number}", "directory_entries", at=_at(joined), values={
            "contact_id": Ref(contact), "listed": True, "share_email": number % 12 == 0, "share_city": True}))
    return records


def _checkout_values(number: int, membership: str, amount: str, opened: date) -> dict[str, Any]:
    return {"reference": f"M-DEMO{number:04d}", "membership_id": Ref(membership), "amount": amount,
            "currency": "EUR", "processor": "transfer", "expires_on": opened + timedelta(days=14)}


def _paid_checkout(number: int, membership: str, payment: DataRecord) -> DataRecord | None:
    """The online payment behind a member's last payment, when they renewed from the
    portal by bank transfer (one transfer payer in two)."""
    values = payment.values
    if values["method"] != "transfer" or number % 2:
        return None
    paid_on: date = values["paid_on"]
    checkout = _checkout_values(number, membership, values["amount"], paid_on - timedelta(days=2 + number % 5))
    return DataRecord(f"{membership}_checkout", "membership_checkouts", at=_at(paid_on), values={
        **checkout, "status": "paid", "paid_at": _at(paid_on), "payment_id": Ref(payment.xid),
        "processor_reference": f"BANK-{paid_on:%y%m%d}-{number:04d}"})


def _awaited_checkout(number: int, membership: str, level: str, joined: date, today: date) -> list[DataRecord]:
    """A member who joined lately and chose to pay by transfer: their payment awaited
    (or, past its fortnight, expired)."""
    fee = {key: fee for key, _name, fee, _terms in _LEVELS}[level]
    checkout = _checkout_values(number, membership, fee, joined)
    status = "open" if checkout["expires_on"] >= today else "expired"
    return [DataRecord(f"{membership}_checkout", "membership_checkouts", at=_at(joined),
                       values={**checkout, "status": status})]


def _household_name(number: int) -> tuple[str, str]:
    """The family name and city of household `number`."""
    return _LAST[number % len(_LAST)], _CITIES[number % len(_CITIES)]


def _gifts(rng: random.Random, number: int, today: date) -> list[DataRecord]:
    """Two in five members give, one to four gifts over two years; a few give much."""
    if rng.random() >= 0.4:
        return []
    scale = rng.choices([40, 150, 600, 2500], [60, 28, 9, 3])[0]
    records = []
    for gift in range(1, rng.randint(1, 4) + 1):
        day = today - timedelta(days=rng.randint(0, 729))
        records.append(DataRecord(f"membership.demo_gift_{number}_{gift}", "donations", at=_at(day), values={
            "contact_id": Ref(f"membership.demo_member_{number}"), "received_on": day,
            "amount": Decimal(rng.randint(scale // 2, scale * 2)),
            "fund_id": Ref(f"membership.demo_fund_{rng.choices(['general', 'building', 'scholarships'], [6, 3, 1])[0]}"),
            "appeal": rng.choice(_APPEALS), "payment_method": rng.choice(["card", "transfer", "cheque"]),
            "gift_aid": rng.random() < 0.2}))
    return records


def _volunteering(rng: random.Random, now: datetime) -> list[DataRecord]:
    """Shifts every two weeks over the past year and the next two months, each with
    volunteers among the members with skills (attended or no-show once past)."""
    records = []
    volunteers = [f"membership.demo_member_{number}" for number in range(5, MEMBERS + 1, 5)]
    for number in range(1, 31):
        starts = (now - timedelta(days=365 - number * 14)).replace(hour=9, minute=0)
        role = _ROLES[number % len(_ROLES)][0]
        capacity = rng.randint(3, 8)
        shift = f"membership.demo_shift_{number}"
        records.append(DataRecord(shift, "volunteer_shifts", at=min(now, starts - timedelta(days=20)), values={
            "title": rng.choice(["Summer fair", "Charity concert", "Shop day", "Open house", "Fun run"]),
            "role_id": Ref(f"membership.demo_role_{role}"), "starts_at": starts,
            "ends_at": starts + timedelta(hours=rng.choice([3, 4, 6])), "location": rng.choice(_CITIES),
            "capacity": capacity}))
        for volunteer in rng.sample(volunteers, rng.randint(1, capacity)):
            status = "signed_up" if starts > now else rng.choices(["attended", "no_show"], [9, 1])[0]
            records.append(DataRecord(f"{shift}_{volunteer.rsplit('_', 1)[1]}", "volunteer_signups",
                                      at=min(now, starts - timedelta(days=7)), values={
                                          "shift_id": Ref(shift), "contact_id": Ref(volunteer), "status": status}))
    return records


def demo_records(seed: int) -> list[DataRecord]:
    """Everything the demo shows, the same for the same seed and day."""
    rng = random.Random(seed)
    now = platform().clock.now().replace(second=0, microsecond=0)
    today = now.date()
    records = _programme()
    for number in range(_HOUSEHOLDS):
        last, city = _household_name(number)
        records.append(DataRecord(f"membership.demo_household_{number}", "households", at=now - timedelta(days=730),
                                  values={"name": f"The {last} Household, {city}"}))
    for number in range(1, MEMBERS + 1):
        records += _member(rng, number, today)
    for number in range(1, MEMBERS + 1):
        records += _gifts(rng, number, today)
    return records + _volunteering(rng, now) + giving_records(seed, today)
