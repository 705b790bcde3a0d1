"""Fixtures of the campaigns tests: a marketing user who sees every contact, one who sees
only their own, and a hand-built set of contacts in Germany and France with the touches
that decide the issue's segment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core.db import db
from core.env import Env

#: The issue's segment: contacts in Germany with an inbound email in the last 30 days and
#: no open ticket (the exclusion of segment X is added by the tests).
GERMANY_ENGAGED = [
    ["account.country", "=", "DE"],
    ["interactions", "any", [["channel", "=", "email"], ["direction", "=", "inbound"],
                             ["occurred_at", ">=", {"$now": {"days": -30}}]]],
]
NO_OPEN_TICKET = ["tickets", "not any", [["status", "in", ["new", "open", "pending_customer",
                                                         "pending_third_party", "on_hold"]]]]


@dataclass
class People:
    """Contacts by first name, the marketing users, and the accounts."""

    ids: dict[str, int]
    manager: Any
    restricted: Any
    berlin: Any
    paris: Any

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def named(self, *names: str) -> list[int]:
        return sorted(self.ids[name] for name in names)


def touch(contact_id: int, now: Any, days: int, channel: str = "email", direction: str = "inbound") -> None:
    """An interaction with the contact `days` ago."""
    Env.system().records.create("interactions", {
        "channel": channel, "direction": direction, "subject": f"{direction} {channel}",
        "occurred_at": (now - timedelta(days=days)).isoformat(), "contact_id": contact_id})


@pytest.fixture
def people(app: Any, make_user: Any, clock: Any) -> People:
    """Berlin GmbH (DE) and Paris SA (FR) with their people:

    - anna: DE, inbound email 10 days ago                       -> member
    - bert: DE, inbound email 40 days ago                       -> too old
    - carl: DE, inbound email 5 days ago, an open ticket        -> open ticket
    - dora: DE, inbound email 3 days ago, a closed ticket       -> member
    - emil: DE, outbound email 2 days ago, inbound call 1 day   -> no inbound email
    - fanny: FR, inbound email 1 day ago                        -> not in Germany
    - hans: DE, inbound email 7 days ago                        -> in segment X (excluded)
    - ida: DE, inbound email 12 days ago, owned by the restricted marketer -> member
    """
    manager = make_user("maria", roles=["campaigns.manager"], name="Maria Manager")
    restricted = make_user("rolf", roles=["campaigns.user", "contacts.own"], name="Rolf Restricted")
    records = Env.system().records
    berlin = records.create("accounts", {"name": "Berlin GmbH", "country": "DE"})
    paris = records.create("accounts", {"name": "Paris SA", "country": "FR"})
    ids: dict[str, int] = {}
    for name, account in (("anna", berlin), ("bert", berlin), ("carl", berlin), ("dora", berlin), ("emil", berlin),
                          ("fanny", paris), ("hans", berlin), ("ida", berlin)):
        ids[name] = records.create("contacts", {
            "first_name": name.title(), "last_name": "Tester", "email": f"{name}@example.com",
            "account_id": account.id, "owner_id": restricted.id if name in ("ida", "fanny") else None}).id
    now = clock.now()
    for name, days in (("anna", 10), ("bert", 40), ("carl", 5), ("dora", 3), ("fanny", 1), ("hans", 7), ("ida", 12)):
        touch(ids[name], now, days)
    touch(ids["emil"], now, 2, direction="outbound")
    touch(ids["emil"], now, 1, channel="phone")
    db.session.commit()
    return People(ids, manager, restricted, berlin, paris)


@pytest.fixture
def tickets(people: People) -> None:
    """Carl's ticket is open, Dora's closed (service desk installed)."""
    records = Env.system().records
    records.create("tickets", {"subject": "Broken", "contact_id": people["carl"], "status": "open"})
    records.create("tickets", {"subject": "Fixed", "contact_id": people["dora"], "status": "closed"})
    db.session.commit()
