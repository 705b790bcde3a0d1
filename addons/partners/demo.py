"""Demo data: the four tiers and their commission plans, two channel managers, ten
partners across the tiers (each with a partner user and certifications), a year of their
deals (the won ones earning commissions as any win does), registrations (two of the same
customer in conflict), lead offers with every kind of answer, and fund requests.

Partner users have no password: set one with `spectrum users` to see the portal."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from core.declarations import DataRecord, Ref
from core.platform import platform

__all__ = ["demo_records", "PARTNERS"]

#: (key, name, tier, countries, specialities)
PARTNERS = [
    ("nimbus", "Nimbus Integrators", "platinum", "FR, BE", "technology, finance"),
    ("keystone", "Keystone Digital", "platinum", "GB", ""),
    ("arbor", "Arbor Consulting", "gold", "DE, AT", "manufacturing"),
    ("lumen", "Lumen Solutions", "gold", "US", "technology"),
    ("meridian", "Meridian Partners", "gold", "FR", ""),
    ("orbit", "Orbit Resellers", "silver", "ES", "retail"),
    ("tidal", "Tidal Systems", "silver", "US", ""),
    ("granite", "Granite IT", "silver", "DE", "healthcare"),
    ("sprout", "Sprout Agency", "registered", "FR", "retail, media"),
    ("harbor", "Harbor Networks", "registered", "GB", ""),
]
#: (key, name, rank, discount, commission, offer weight, 12-month revenue, certifications)
_TIERS = [("registered", "Registered", 1, 0, 5, 1, 0, 0), ("silver", "Silver", 2, 10, 8, 1, 50_000, 1),
          ("gold", "Gold", 3, 15, 12, 3, 200_000, 2), ("platinum", "Platinum", 4, 20, 15, 4, 500_000, 3)]
_MANAGERS = [("yasmin", "Yasmin Haddad", "partners.manager"), ("rafael", "Rafael Ortega", "partners.channel_manager")]
_CERTIFICATES = ["Sales fundamentals", "Technical implementation", "Advanced integration", "Customer success"]
_DEMO_ACCOUNTS = 60  # addons.contacts.demo
_FUNDS = ["Trade show booth", "Webinar series", "Paid search campaign", "Customer event", "Print brochure"]


def _programme() -> list[DataRecord]:
    records = [DataRecord(f"partners.demo_tier_{key}", "partner_tiers", {
        "name": name, "sequence": rank, "discount_percent": discount, "commission_rate": rate, "offer_weight": weight,
        "min_revenue": revenue, "min_certifications": certifications})
        for key, name, rank, discount, rate, weight, revenue, certifications in _TIERS]
    records += [DataRecord(f"partners.demo_plan_{key}", "commission_plans", {
        "name": f"{name}: every deal", "tier_id": Ref(f"partners.demo_tier_{key}"), "rate": rate})
        for key, name, _rank, _discount, rate, *_ in _TIERS]
    records.append(DataRecord("partners.demo_plan_gold_services", "commission_plans", {
        "name": "Gold: services", "tier_id": Ref("partners.demo_tier_gold"), "product_category": "services",
        "rate": 18}))
    records += [DataRecord(f"partners.demo_user_{login}", "users", {
        "login": login, "name": name, "email": f"{login}@channel.example.com", "kind": "internal",
        "roles": [Ref(role)]}) for login, name, role in _MANAGERS]
    return records


def _partner(rng: random.Random, index: int, now: datetime) -> list[DataRecord]:
    key, name, tier, countries, specialities = PARTNERS[index]
    since = now - timedelta(days=rng.randint(300, 700))
    xid = f"partners.demo_partner_{key}"
    domain = f"{key}.example.net"
    records = [
        DataRecord(f"partners.demo_account_{key}", "accounts", at=since, values={
            "name": name, "website": f"https://{domain}", "industry": "technology"}),
        DataRecord(xid, "partners", at=since, values={
            "account_id": Ref(f"partners.demo_account_{key}"), "tier_id": Ref(f"partners.demo_tier_{tier}"),
            "channel_manager_id": Ref(f"partners.demo_user_{_MANAGERS[index % 2][0]}"), "email": f"deals@{domain}",
            "countries": countries, "specialities": specialities or None, "capacity": rng.choice([3, 5, 8]),
            "joined_on": since.date()}),
        DataRecord(f"partners.demo_user_{key}", "users", at=since, values={
            "login": f"{key}.partner", "name": f"{name.split()[0]} Partner Desk", "email": f"desk@{domain}",
            "kind": "partner", "roles": [Ref("base.partner")], "partner_id": Ref(xid)}),
    ]
    for number, certificate in enumerate(rng.sample(_CERTIFICATES, rng.randint(0, 3)), start=1):
        obtained = now.date() - timedelta(days=rng.randint(30, 700))
        records.append(DataRecord(f"{xid}_cert_{number}", "partner_certifications", {
            "partner_id": Ref(xid), "name": certificate, "obtained_on": obtained,
            "expires_on": now.date() + timedelta(days=rng.randint(-20, 400))}))
    return records


def _deals(rng: random.Random, index: int, now: datetime) -> list[DataRecord]:
    key, _name, tier, *_ = PARTNERS[index]
    scale = {"platinum": 60_000, "gold": 35_000, "silver": 15_000, "registered": 6_000}[tier]
    records = []
    for number in range(1, rng.randint(4, 9) + 1):
        opened = now - timedelta(days=rng.randint(5, 360))
        roll = rng.random()
        stage = "won" if roll < 0.45 else "lost" if roll < 0.65 else \
            rng.choice(["qualified", "proposal", "negotiation"])
        closed = min(opened + timedelta(days=rng.randint(10, 90)), now) if stage in ("won", "lost") else None
        values = {
            "name": f"{PARTNERS[index][1].split()[0]} deal {number}", "partner_id": Ref(f"partners.demo_partner_{key}"),
            "account_id": Ref(f"contacts.demo_account_{rng.randint(1, _DEMO_ACCOUNTS)}"),
            "amount": Decimal(rng.randrange(scale // 4, scale * 2, 500)), "source": "partner",
            "owner_id": Ref(f"partners.demo_user_{_MANAGERS[index % 2][0]}"), "stage_id": Ref(f"sales.stage_{stage}"),
            "opened_on": opened.date(), "close_date": (closed or now + timedelta(days=rng.randint(10, 90))).date(),
            "product_category": "services" if rng.random() < 0.3 else None,
        }
        if stage == "lost":
            values["lost_reason_id"] = Ref(f"sales.lost_reason_{rng.randint(1, 6)}")
        records.append(DataRecord(f"partners.demo_deal_{key}_{number}", "opportunities", at=closed or opened,
                                  values=values))
    return records


def _registrations(now: datetime) -> list[DataRecord]:
    """Decided registrations over the months, and two partners claiming the same customer now."""
    rows = [("nimbus", "Vertex Labs", "vertexlabs.com", "approved", 60), ("arbor", "Halden Maschinenbau", "halden.de",
             "approved", 45), ("orbit", "Costa Retail", "costaretail.es", "rejected", 30),
            ("lumen", "Brightwave Health", "brightwave.com", "submitted", 3),
            ("meridian", "Quantum Freight", "quantumfreight.fr", "submitted", 2),
            ("sprout", "Quantum Freight SAS", None, "submitted", 1), ("tidal", "Pioneer Foods", "pioneerfoods.com",
                                                                      "expired", 120)]
    records = []
    for number, (key, customer, domain, status, days) in enumerate(rows, start=1):
        at = now - timedelta(days=days)
        values = {"partner_id": Ref(f"partners.demo_partner_{key}"), "customer_name": customer,
                  "customer_domain": domain, "contact_name": "Alex Morgan",
                  "contact_email": f"alex@{domain}" if domain else None, "product_interest": "Platform licences",
                  "amount": Decimal(12_000 + 4_000 * number), "expected_close": (at + timedelta(days=75)).date()}
        records.append(DataRecord(f"partners.demo_registration_{number}", "deal_registrations", at=at, values=values))
        if status != "submitted":
            decided = at + timedelta(days=1)
            decision = {"status": status, "decided_at": decided,
                        "decision_reason": "Existing direct customer" if status == "rejected" else None}
            if status in ("approved", "expired"):
                decision["protected_until"] = (decided + timedelta(days=90)).date()
                decision["opportunity_id"] = Ref(f"partners.demo_deal_{key}_1")
            records.append(DataRecord(f"partners.demo_registration_{number}", "deal_registrations", at=decided,
                                      values={**values, **decision}))
    return records


def _offers(rng: random.Random, now: datetime) -> list[DataRecord]:
    """Leads offered over the past months, and the answers; the newest still wait."""
    records = []
    weighted = [key for key, _n, tier, *_ in PARTNERS for _ in range({"platinum": 4, "gold": 3}.get(tier, 1))]
    for number in range(1, 41):
        offered = now - timedelta(days=max(0, 180 - number * 4.5), hours=rng.randint(1, 6))
        key = weighted[(number * 7) % len(weighted)]
        answer = "offered" if number > 37 else rng.choices(["accepted", "declined", "expired"], [6, 2, 1])[0]
        lead_xid = f"partners.demo_lead_{number}"
        records.append(DataRecord(lead_xid, "leads", at=offered, values={
            "title": f"Partner lead {number}", "company_name": f"Prospect {number} Ltd", "country": "FR",
            "source": "partner", "email": f"buyer{number}@prospect{number}.example.org"}))
        answered = offered + timedelta(hours=rng.randint(2, 40)) if answer in ("accepted", "declined") else None
        records.append(DataRecord(f"partners.demo_offer_{number}", "lead_offers", at=offered, values={
            "lead_id": Ref(lead_xid), "partner_id": Ref(f"partners.demo_partner_{key}"), "status": answer,
            "offered_at": offered, "due_at": offered + timedelta(days=2), "answered_at": answered,
            "decline_reason": "Outside our capacity this month" if answer == "declined" else None}))
        if answer == "accepted":
            records.append(DataRecord(lead_xid, "leads", at=answered, values={
                "title": f"Partner lead {number}", "company_name": f"Prospect {number} Ltd", "country": "FR",
                "source": "partner", "email": f"buyer{number}@prospect{number}.example.org",
                "partner_id": Ref(f"partners.demo_partner_{key}")}))
    return records


def _funds(rng: random.Random, now: datetime) -> list[DataRecord]:
    records = []
    for number in range(1, 16):
        key = PARTNERS[number % len(PARTNERS)][0]
        starts = (now - timedelta(days=rng.randint(-30, 300))).date()
        budget = Decimal(rng.randrange(1_000, 12_000, 250))
        status = "requested" if starts > now.date() else rng.choice(["approved", "claimed", "paid", "rejected"])
        values: dict[str, object] = {"partner_id": Ref(f"partners.demo_partner_{key}"),
                                     "activity": rng.choice(_FUNDS), "starts_on": starts, "budget": budget,
                                     "status": status}
        if status in ("approved", "claimed", "paid"):
            values["approved_amount"] = budget
        if status in ("claimed", "paid"):
            values["claimed_amount"] = (budget * Decimal("0.9")).quantize(Decimal(1))
            values["proof"] = "Invoices INV-2026-0042 and INV-2026-0043"
        if status == "rejected":
            values["decision_reason"] = "Outside the programme's focus this quarter"
        at = datetime.combine(min(starts, now.date()) - timedelta(days=20), datetime.min.time(), now.tzinfo)
        records.append(DataRecord(f"partners.demo_fund_{number}", "fund_requests", at=at, values=values))
    return records


def demo_records(seed: int) -> list[DataRecord]:
    """Everything the demo shows, the same for the same seed and day."""
    rng = random.Random(seed)
    now = platform().clock.now().replace(second=0, microsecond=0)
    records = _programme()
    for index in range(len(PARTNERS)):
        records += _partner(rng, index, now)
    for index in range(len(PARTNERS)):
        records += _deals(rng, index, now)
    return records + _registrations(now) + _offers(rng, now) + _funds(rng, now)
