"""Generated demo data: realistic accounts, contacts and a timeline, the same for one seed."""
from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from core.declarations import DataRecord, Ref
from core.platform import platform

__all__ = ["demo_records", "ACCOUNTS", "CONTACTS_PER_ACCOUNT"]

ACCOUNTS = 60
CONTACTS_PER_ACCOUNT = (1, 8)

_FIRST = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Giulia", "Hugo", "Inès", "Jonas", "Karin",
          "Léa", "Marco", "Nora", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Ulrich", "Vera",
          "William", "Xenia", "Yusuf", "Zoé", "Amélie", "Ben", "Carmen", "Dmitri", "Elena", "Felix"]
_LAST = ["Martin", "Bernard", "Dubois", "Schmidt", "Müller", "Rossi", "Garcia", "Smith", "Johnson", "Kowalski",
         "Nguyen", "Silva", "Jansen", "Novak", "Hansen", "Lefebvre", "Moreau", "Fischer", "Weber", "Bianchi",
         "Lopez", "Brown", "Taylor", "Dupont", "Laurent", "Costa", "Horvat", "Andersen", "Meyer", "Fontaine"]
_COMPANY_A = ["Blue", "North", "Bright", "Green", "Atlas", "Nova", "Summit", "Harbor", "Silver", "Quantum",
              "Pioneer", "Cedar", "Vertex", "Orbit", "Maple", "Granite"]
_COMPANY_B = ["Systems", "Foods", "Logistics", "Media", "Health", "Labs", "Retail", "Energy", "Finance",
              "Studios", "Works", "Partners", "Analytics", "Textiles"]
_CITIES = [("Paris", "FR", "75001"), ("Lyon", "FR", "69001"), ("Berlin", "DE", "10115"), ("Munich", "DE", "80331"),
           ("Madrid", "ES", "28001"), ("Milan", "IT", "20121"), ("London", "GB", "EC1A"), ("Amsterdam", "NL", "1011"),
           ("Lisbon", "PT", "1100"), ("Brussels", "BE", "1000"), ("Vienna", "AT", "1010"), ("Warsaw", "PL", "00-001")]
_INDUSTRIES = ["technology", "retail", "manufacturing", "finance", "healthcare", "education", "media", "hospitality"]
_SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
_TITLES = ["CEO", "CTO", "Head of Sales", "Buyer", "Office Manager", "Marketing Lead", "Engineer", "CFO", "Consultant"]
_TOUCHES = [
    ("email", "inbound", "Question about pricing"), ("email", "outbound", "Quote sent"),
    ("phone", "outbound", "Discovery call"), ("phone", "inbound", "Support call"),
    ("meeting", "outbound", "Demo meeting"), ("web", "inbound", "Visited the pricing page"),
    ("chat", "inbound", "Chat about delivery times"), ("social", "inbound", "Mentioned us on LinkedIn"),
    ("note", "internal", "Budget approved next quarter"), ("email", "outbound", "Newsletter follow-up"),
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def demo_records(seed: int) -> list[DataRecord]:
    """Accounts (known for up to two years), their contacts and about five interactions per
    contact over the past year, each made at its own time (`DataRecord.at`)."""
    rng = random.Random(seed)
    times = random.Random(seed + 1)  # when things happened, apart: the same seed keeps its people and companies
    # Relative to the platform clock's today, so a new demo database has recent activity;
    # the same seed on the same day gives the same records.
    now = platform().clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    records: list[DataRecord] = []
    used_names: set[str] = set()
    for a in range(1, ACCOUNTS + 1):
        name = f"{rng.choice(_COMPANY_A)} {rng.choice(_COMPANY_B)}"
        while name in used_names:
            name = f"{rng.choice(_COMPANY_A)} {rng.choice(_COMPANY_B)} {rng.choice(['Group', 'Europe', 'Inc'])}"
        used_names.add(name)
        city, country, postcode = rng.choice(_CITIES)
        domain = name.lower().replace(" ", "") + ".example"
        account_since = now - timedelta(days=times.randint(120, 720), hours=times.randint(8, 17))
        records.append(DataRecord(f"contacts.demo_account_{a}", "accounts", at=account_since, values={
            "name": name, "industry": rng.choice(_INDUSTRIES), "size": rng.choice(_SIZES),
            "website": f"https://www.{domain}", "email": f"info@{domain}", "phone": f"+33 1 {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "city": city, "country": country, "postcode": postcode, "street": f"{rng.randint(1, 200)} Main Street",
            "tags": rng.sample(["vip", "prospect", "customer", "partner", "newsletter"], k=rng.randint(0, 2)),
        }))
        for c in range(1, rng.randint(*CONTACTS_PER_ACCOUNT) + 1):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            key = f"{a}_{c}"
            consent = rng.random() < 0.7
            since = min(account_since + timedelta(days=times.randint(0, 90)), now - timedelta(days=7))
            records.append(DataRecord(f"contacts.demo_contact_{key}", "contacts", at=since, values={
                "first_name": first, "last_name": last, "title": rng.choice(_TITLES),
                "email": _ascii(f"{first}.{last}.{key}@{domain}".lower()),
                "phone": f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "account_id": Ref(f"contacts.demo_account_{a}"), "city": city, "country": country,
                "preferred_channel": rng.choice(["email", "phone", "email", "sms"]),
                "consent_email": consent, "consent_phone": rng.random() < 0.5,
            }))
            # Touches over the past year (since the contact is known), more of them lately.
            first = max(since, now - timedelta(days=365))
            for t in range(1, rng.randint(2, 8) + 1):
                channel, direction, subject = rng.choice(_TOUCHES)
                span = (now - first).total_seconds()
                when = now - timedelta(seconds=span * (1 - times.random() ** 0.7))
                records.append(DataRecord(f"contacts.demo_interaction_{key}_{t}", "interactions", at=when, values={
                    "channel": channel, "direction": direction, "subject": subject,
                    "body": f"{subject} with {first} {last}.", "occurred_at": when.isoformat(),
                    "contact_id": Ref(f"contacts.demo_contact_{key}"),
                }))
    return records
