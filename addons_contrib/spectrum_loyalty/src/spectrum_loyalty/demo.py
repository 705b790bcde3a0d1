"""Demo loyalty cards for the first contact of most demo accounts, the same for one seed."""
from __future__ import annotations

import random
from datetime import date, timedelta

from core.declarations import DataRecord, Ref

__all__ = ["demo_cards", "DEMO_CARDS"]

#: How many demo accounts get a card for their first contact (the contacts demo has 60 accounts).
DEMO_CARDS = 40


def demo_cards(seed: int) -> list[DataRecord]:
    """Cards with balances spread over every tier, a few of them deactivated."""
    rng = random.Random(seed)
    cards = []
    for account in range(1, DEMO_CARDS + 1):
        points = rng.choice([0, 40, 120, 380, 650, 900, 1500, 2400, 3100])
        cards.append(DataRecord(f"spectrum_loyalty.demo_card_{account}", "loyalty_cards", {
            "contact_id": Ref(f"contacts.demo_contact_{account}_1"),
            "number": f"LOY-{account:05d}",
            "points": points,
            "enrolled_on": (date(2026, 1, 1) - timedelta(days=rng.randint(0, 1000))).isoformat(),
            "active": rng.random() > 0.1,
        }))
    return cards
