"""Demo data: three sales teams, customer accounts, a year of won and lost deals, an open
pipeline, leads, activities, quotas and the monthly pipeline snapshots of past months.

The same seed on the same day gives the same records. Dates are relative to the
platform clock's today, so a new demo database has a fresh pipeline, a year of history
the win-chance model learns from and past months the forecast backtest can check.
Win rates depend on the source and industry of a deal, so the predictions have
something real to find. Salespeople have no password: set one with `spectrum users`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from core.declarations import DataRecord, Ref

__all__ = ["demo_records", "TEAMS", "HISTORY_MONTHS", "SNAPSHOT_MONTHS"]

HISTORY_MONTHS = 12
SNAPSHOT_MONTHS = 6
#: key, name, leader, members (login, name, weight, countries), closed deals a month,
#: typical amount, days from opening to closing.
TEAMS = [
    ("enterprise", "Enterprise", ("hana", "Hana Sato"),
     [("sara", "Sara Lindqvist", 2, "FR, BE"), ("tom", "Tom Becker", 1, "DE, AT"), ("nina", "Nina Rossi", 1, "")],
     6, 40_000, (60, 120)),
    ("midmarket", "Mid-Market", ("ravi", "Ravi Kapoor"),
     [("omar", "Omar Haddad", 2, ""), ("lena", "Lena Vogel", 1, ""), ("paul", "Paul Girard", 1, "")],
     9, 12_000, (25, 60)),
    ("partners", "Partners & Channel", ("joao", "João Pereira"),
     [("ines", "Inès Moreau", 1, ""), ("marc", "Marc Dubois", 1, "")],
     7, 8_000, (15, 45)),
]
_COMPANIES = ["Acme Industries", "Borealis Bank", "Cobalt Retail", "Delta Foods", "Evergreen Clinics",
              "Fjord Shipping", "Granite Works", "Helios Energy", "Iris Media", "Juniper Hotels", "Kestrel Labs",
              "Lumen Software", "Meridian Insurance", "Nimbus Cloud", "Orion Textiles", "Pinnacle Schools",
              "Quartz Analytics", "Riverside Health", "Saffron Restaurants", "Tundra Logistics", "Umbra Studios",
              "Vantage Finance", "Willow Retail", "Xylo Devices", "Yarrow Farms", "Zenith Manufacturing"]
_PLACES = [("Paris", "FR", "75008", "EUR"), ("Lyon", "FR", "69002", "EUR"), ("Brussels", "BE", "1000", "EUR"),
           ("Berlin", "DE", "10117", "EUR"), ("Vienna", "AT", "1010", "EUR"), ("London", "GB", "EC2A", "GBP"),
           ("New York", "US", "10001", "USD"), ("Chicago", "US", "60601", "USD"), ("Amsterdam", "NL", "1017", "EUR")]
_INDUSTRIES = ["technology", "finance", "retail", "manufacturing", "healthcare", "education", "media", "hospitality"]
_INDUSTRY_EDGE = {"technology": 0.12, "finance": 0.05, "healthcare": 0.05, "hospitality": -0.12, "retail": -0.05}
_SOURCE_WIN = {"partner": 0.68, "existing_customer": 0.72, "event": 0.45, "phone": 0.40, "email": 0.35,
               "campaign": 0.32, "web": 0.28}
_SOURCES = {"enterprise": ["existing_customer", "event", "phone", "email", "web", "campaign"],
            "midmarket": ["web", "campaign", "email", "phone", "existing_customer", "event"],
            "partners": ["partner", "partner", "partner", "existing_customer", "event"]}
_OPEN_STAGES = ["new", "qualified", "proposal", "negotiation"]
#: Rates from three years back: the other addons' demo history (membership's gifts of
#: past years) converts too.
_RATES = {"EUR": [(-1100, "1.06"), (-400, "1.08"), (-120, "1.10")], "GBP": [(-1100, "1.25"), (-400, "1.27")]}
_PRODUCTS = ["platform licence", "renewal", "rollout", "support plan", "expansion", "pilot", "training"]
_LOST_REASONS = 6
_LEAD_PREFIXES = ["Alpine", "Coastal", "Urban", "Prime", "Vivid"]
_LEAD_SUFFIXES = ["Tech", "Foods", "Care", "Works", "Media"]


@dataclass
class _Closed:
    """A historical deal, kept to rebuild the pipeline snapshots of past months."""

    team: str
    opened: date
    expected: date
    closed: date
    amount_company: Decimal


def _today() -> date:
    from flask import has_app_context

    if has_app_context():
        from core.platform import platform

        return platform().clock.now().date()
    return datetime.now(timezone.utc).date()


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _at(day: date, hour: int = 10) -> str:
    return _moment(day, hour).isoformat()


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _rate(currency: str, today: date, on: date) -> Decimal:
    if currency == "USD":
        return Decimal(1)
    return Decimal([rate for offset, rate in _RATES[currency] if today + timedelta(days=offset) <= on][-1])


def _setup(today: date) -> list[DataRecord]:
    """Salespeople, teams and members, assignment rules, rates, accounts, quotas."""
    records: list[DataRecord] = []
    for key, name, (leader, leader_name), members, *_ in TEAMS:
        records.append(DataRecord(f"sales.demo_user_{leader}", "users", {
            "login": leader, "name": leader_name, "email": f"{leader}@sales.example.com", "kind": "internal",
            "roles": [Ref("sales.manager")]}))
        for login, person, _weight, _countries in members:
            records.append(DataRecord(f"sales.demo_user_{login}", "users", {
                "login": login, "name": person, "email": f"{login}@sales.example.com", "kind": "internal",
                "roles": [Ref("sales.salesperson")]}))
        records.append(DataRecord(f"sales.demo_team_{key}", "sales_teams", {
            "name": name, "leader_id": Ref(f"sales.demo_user_{leader}"),
            "stale_after_days": 21 if key == "enterprise" else 14}))
        for login, _person, weight, countries in members:
            records.append(DataRecord(f"sales.demo_member_{login}", "sales_team_members", {
                "team_id": Ref(f"sales.demo_team_{key}"), "user_id": Ref(f"sales.demo_user_{login}"),
                "weight": weight, "countries": countries or None,
                "max_open_leads": 12 if key == "midmarket" else None}))
    records += [
        DataRecord("sales.demo_rule_partners", "lead_assignment_rules", {
            "name": "Partner referrals", "sequence": 10, "team_id": Ref("sales.demo_team_partners"),
            "domain": [["source", "=", "partner"]]}),
        DataRecord("sales.demo_rule_enterprise", "lead_assignment_rules", {
            "name": "Large companies by territory", "sequence": 20, "team_id": Ref("sales.demo_team_enterprise"),
            "domain": [["industry", "in", ["finance", "manufacturing"]]], "use_territory": True}),
        DataRecord("sales.demo_rule_midmarket", "lead_assignment_rules", {
            "name": "Everything else", "sequence": 90, "team_id": Ref("sales.demo_team_midmarket"), "domain": []}),
    ]
    for currency, rates in _RATES.items():
        records += [DataRecord(f"sales.demo_rate_{currency}_{-offset}", "exchange_rates", {
            "currency": currency, "rate": rate, "valid_from": (today + timedelta(days=offset)).isoformat()})
            for offset, rate in rates]
    for index, company in enumerate(_COMPANIES, start=1):
        city, country, postcode, _currency = _PLACES[index % len(_PLACES)]
        records.append(DataRecord(f"sales.demo_account_{index}", "accounts", {
            "name": company, "industry": _INDUSTRIES[index % len(_INDUSTRIES)], "city": city, "country": country,
            "postcode": postcode, "website": f"https://www.{company.lower().replace(' ', '')}.example"}))
        first, last = company.split()[0], "Buyer"
        records.append(DataRecord(f"sales.demo_contact_{index}", "contacts", {
            "first_name": first, "last_name": last, "title": "Head of Purchasing", "country": country,
            "email": f"purchasing@{company.lower().replace(' ', '')}.example",
            "account_id": Ref(f"sales.demo_account_{index}")}))
    for key, _name, _leader, _members, per_month, typical, _cycle in TEAMS:
        for offset in range(-HISTORY_MONTHS, 6):
            month = _month_start(today, offset)
            amount = Decimal(per_month * typical) * Decimal("0.6") * (1 + Decimal(offset + HISTORY_MONTHS) / 40)
            records.append(DataRecord(f"sales.demo_quota_{key}_{month:%Y%m}", "sales_quotas", {
                "team_id": Ref(f"sales.demo_team_{key}"), "month": month.isoformat(),
                "amount": str(amount.quantize(Decimal(1000)))}))
    return records


def _deal_basics(rng: random.Random, team: tuple[Any, ...]) -> dict[str, Any]:
    key, _name, _leader, members, _per_month, typical, _cycle = team
    index = rng.randint(1, len(_COMPANIES))
    city, country, _postcode, currency = _PLACES[index % len(_PLACES)]
    industry = _INDUSTRIES[index % len(_INDUSTRIES)]
    source = rng.choice(_SOURCES[key])
    amount = Decimal(round(typical * rng.uniform(0.4, 1.8), -2))
    return {"index": index, "country": country, "industry": industry, "source": source, "amount": amount,
            "currency": currency, "owner": rng.choice(members)[0], "values": {
                "name": f"{_COMPANIES[index - 1]}: {rng.choice(_PRODUCTS)}",
                "account_id": Ref(f"sales.demo_account_{index}"),
                "contact_id": Ref(f"sales.demo_contact_{index}"), "team_id": Ref(f"sales.demo_team_{key}"),
                "source": source, "currency": currency, "city": city, "country": country}}


def _history(rng: random.Random, today: date) -> tuple[list[DataRecord], list[_Closed]]:
    """Won and lost deals closed in each of the past HISTORY_MONTHS months and this month so far."""
    records: list[DataRecord] = []
    closed: list[_Closed] = []
    for team in TEAMS:
        key, per_month, cycle = team[0], team[4], team[6]
        for offset in range(-HISTORY_MONTHS, 1):
            month = _month_start(today, offset)
            # Whole past months, and this month up to yesterday (what is won so far).
            days = min((_month_start(today, offset + 1) - month).days, (today - month).days)
            growth = 1 + (offset + HISTORY_MONTHS) * 0.04  # the business grows: the trend has a slope
            deals = per_month + rng.randint(-1, 2)
            if offset == 0:
                deals = deals * days // 30
            for number in range(deals):
                deal = _deal_basics(rng, team)
                chance = _SOURCE_WIN[deal["source"]] + _INDUSTRY_EDGE.get(deal["industry"], 0)
                # Each month has at least one won and one lost deal, so every month of the
                # charts and the backtest has both.
                won = number == 0 or (number != 1 and rng.random() < chance)
                closed_on = month + timedelta(days=rng.randrange(days))
                opened_on = closed_on - timedelta(days=rng.randint(*cycle))
                expected = closed_on + timedelta(days=rng.randint(-6, 6))
                amount = (deal["amount"] * Decimal(str(growth))).quantize(Decimal(100))
                values = {**deal["values"], "amount": str(amount), "opened_on": opened_on.isoformat(),
                          "closed_on": closed_on.isoformat(), "close_date": expected.isoformat(),
                          "owner_id": Ref(f"sales.demo_user_{deal['owner']}"),
                          "last_activity_at": _at(closed_on, 15)}
                if won:
                    values.update(stage_id=Ref("sales.stage_won"), stage_reached_id=Ref("sales.stage_negotiation"))
                else:
                    reached = rng.choice(["new", "qualified", "proposal", "proposal", "negotiation"])
                    values.update(stage_id=Ref("sales.stage_lost"), stage_reached_id=Ref(f"sales.stage_{reached}"),
                                  lost_reason_id=Ref(f"sales.lost_reason_{rng.randint(1, _LOST_REASONS)}"))
                records.append(DataRecord(f"sales.demo_closed_{key}_{month:%Y%m}_{number}", "opportunities", values,
                                          at=_moment(min(opened_on, today), 9 + number % 8)))
                closed.append(_Closed(key, opened_on, expected, closed_on,
                                      amount * _rate(deal["currency"], today, closed_on)))
    return records, closed


def _snapshots(closed: list[_Closed], today: date) -> list[DataRecord]:
    """The pipeline each team had at the start of the past SNAPSHOT_MONTHS months, as the
    `sales.forecast_snapshot` job would have recorded it: deals open that day and expected
    to close by the month's end, weighted at the Proposal stage's 50%."""
    records = []
    for key, *_ in TEAMS:
        for offset in range(-SNAPSHOT_MONTHS, 0):
            start, end = _month_start(today, offset), _month_start(today, offset + 1)
            open_then = [deal for deal in closed if deal.team == key and deal.opened < start <= deal.closed
                         and deal.expected < end]
            amount = sum((deal.amount_company for deal in open_then), Decimal(0))
            records.append(DataRecord(f"sales.demo_snapshot_{key}_{start:%Y%m}", "forecast_snapshots", {
                "month": start.isoformat(), "team_id": Ref(f"sales.demo_team_{key}"), "taken_on": start.isoformat(),
                "open_amount": str(amount), "weighted_amount": str(amount / 2), "won_amount": "0",
                "deals": len(open_then), "note": "Rebuilt from the demo history"}))
    return records


def _pipeline(rng: random.Random, today: date) -> list[DataRecord]:
    """Open deals at every stage, some overdue or quiet for weeks, with activities."""
    records: list[DataRecord] = []
    roles = ["decision_maker", "influencer", "champion", "user", "blocker"]
    for team in TEAMS:
        key = team[0]
        # About what the team closes in four months, most of it expected soon.
        for number in range(team[4] * 4):
            deal = _deal_basics(rng, team)
            stage = _OPEN_STAGES[min(number % 5, 3)]
            quiet = rng.choice([1, 2, 3, 5, 8, 16, 25, 40])  # days since anything happened
            expected = today + timedelta(days=round(rng.triangular(-20, 150, 10)))
            xid = f"sales.demo_open_{key}_{number}"
            owner = Ref(f"sales.demo_user_{deal['owner']}")
            opened_on = today - timedelta(days=quiet + rng.randint(5, 60))
            records.append(DataRecord(xid, "opportunities", {
                **deal["values"], "amount": str(deal["amount"]), "stage_id": Ref(f"sales.stage_{stage}"),
                "opened_on": opened_on.isoformat(),
                "close_date": expected.isoformat(), "owner_id": owner,
                "last_activity_at": _at(today - timedelta(days=quiet), 11),
                "tags": rng.sample(["upsell", "strategic", "tender", "renewal"], k=rng.randint(0, 2))},
                at=_moment(opened_on, 9 + number % 8)))
            records.append(DataRecord(f"{xid}_contact", "opportunity_contacts", {
                "opportunity_id": Ref(xid), "contact_id": Ref(f"sales.demo_contact_{deal['index']}"),
                "role": rng.choice(roles)}))
            due = today + timedelta(days=rng.randint(-4, 10))
            records.append(DataRecord(f"{xid}_next", "activities", {
                "kind": rng.choice(["call", "meeting", "email", "task"]), "summary": f"Follow up: {stage} step",
                "due_at": _at(due, 9 + number % 8), "user_id": owner, "related_model": "opportunities",
                "related_id": Ref(xid)}, at=_moment(today - timedelta(days=quiet), 12)))
    return records


def _leads(rng: random.Random, today: date) -> list[DataRecord]:
    """Leads from every source over the past three months; new ones are placed by the
    assignment rules as they arrive."""
    firsts = ["Adele", "Bastien", "Carla", "Dario", "Elif", "Frank", "Greta", "Hamid", "Ilona", "Jules", "Kira",
              "Luca", "Maya", "Noah", "Olga", "Pablo", "Rita", "Sven", "Tess", "Ugo"]
    statuses = ["new", "new", "new", "in_process", "in_process", "recycled", "dead"]
    sources = list(_SOURCE_WIN)
    records = []
    for number in range(40):
        first = firsts[number % len(firsts)]
        company = f"{rng.choice(_LEAD_PREFIXES)} {rng.choice(_LEAD_SUFFIXES)}"
        city, country, postcode, _currency = rng.choice(_PLACES)
        free_mail = rng.random() < 0.2
        domain = "gmail.com" if free_mail else company.lower().replace(" ", "") + ".example"
        records.append(DataRecord(f"sales.demo_lead_{number}", "leads", {
            "first_name": first, "last_name": f"Lead{number}", "email": f"{first.lower()}.{number}@{domain}",
            "phone": f"+33 6 12 34 {number:02d} 00" if rng.random() < 0.5 else None, "company_name": company,
            "industry": rng.choice(_INDUSTRIES), "city": city, "country": country, "postcode": postcode,
            "source": rng.choice(sources), "status": statuses[number % len(statuses)],
            # Leads someone already works on have an owner; new ones are placed by the rules.
            **({"owner_id": Ref("sales.demo_user_omar"), "team_id": Ref("sales.demo_team_midmarket")}
               if statuses[number % len(statuses)] != "new" else {}),
            "expected_amount": str(rng.choice([0, 5000, 12000, 30000])), "title": f"{company}: interest in a pilot",
            "utm_campaign": rng.choice([None, "spring-webinar", "newsletter", "trade-show"]),
        }, at=_moment(today - timedelta(days=(number * 7) % 90 + 1), 8 + number % 9)))
    return records


def demo_records(seed: int) -> list[DataRecord]:
    """Everything, in loading order: the history comes before the open deals and leads,
    which are scored from it when they are created."""
    rng = random.Random(seed)
    today = _today()
    history, closed = _history(rng, today)
    return [*_setup(today), *history, *_snapshots(closed, today), *_pipeline(rng, today), *_leads(rng, today)]
