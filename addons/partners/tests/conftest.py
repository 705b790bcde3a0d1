"""Fixtures of the partners tests: the four tiers, a channel manager, two partners (Gold
and Silver) each with a partner user, on a database with contacts, sales and partners."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from core.addons.data import resolve_xid
from core.db import db
from core.env import Env


def stage_id(key: str) -> int:
    """Id of a shipped sales stage: new, qualified, proposal, negotiation, won, lost."""
    return resolve_xid(f"sales.stage_{key}").record_id


@dataclass
class Channel:
    """The records every partners test starts from."""

    tiers: dict[str, Any]
    manager: Any
    seller: Any
    gold: Any
    silver: Any
    gold_user: Any
    silver_user: Any


@pytest.fixture
def channel(app: Any, make_user: Any) -> Channel:
    """Tiers Registered (weight 1), Silver (1, 8 %), Gold (3, 12 %), Platinum (4, 15 %);
    Mia manages the channel; Gold partner "Alpha Resellers" (FR) with user Paula, Silver
    partner "Beta Agency" (FR) with user Pierre; Sam is an internal salesperson."""
    records = Env.system().records
    tiers = {name: records.create("partner_tiers", {
        "name": name, "sequence": sequence, "offer_weight": weight, "commission_rate": rate, "discount_percent": rate,
        "min_revenue": revenue, "min_certifications": certifications,
    }) for name, sequence, weight, rate, revenue, certifications in (
        ("Registered", 1, 1, "5", "0", 0), ("Silver", 2, 1, "8", "50000", 1), ("Gold", 3, 3, "12", "200000", 2),
        ("Platinum", 4, 4, "15", "500000", 3))}
    manager = make_user("mia", roles=["partners.channel_manager"], name="Mia Channel")
    seller = make_user("sam", roles=["sales.salesperson"], name="Sam Seller")
    partners = {}
    for name, tier in (("Alpha Resellers", "Gold"), ("Beta Agency", "Silver")):
        account = records.create("accounts", {"name": name, "country": "FR"})
        partners[name] = records.create("partners", {
            "account_id": account.id, "tier_id": tiers[tier].id, "channel_manager_id": manager.id,
            "email": f"deals@{name.split()[0].lower()}.example", "countries": "fr", "capacity": 5})
    db.session.commit()
    gold, silver = partners["Alpha Resellers"], partners["Beta Agency"]
    gold_user = make_user("paula", roles=["base.partner"], kind="partner", name="Paula Alpha", partner_id=gold.id)
    silver_user = make_user("pierre", roles=["base.partner"], kind="partner", name="Pierre Beta",
                            partner_id=silver.id)
    return Channel(tiers, manager, seller, gold, silver, gold_user, silver_user)


@pytest.fixture
def outbox(app: Any, smtp_server: Any) -> Any:
    """A real SMTP server the app sends through."""
    smtp_server.configure(app)
    return smtp_server
