"""The deals the pivot tests count: Alice's and Bob's, salespeople who read only their
own, in several stages and months, and their manager Mia who reads them all."""
from __future__ import annotations

import pytest

from core.addons.data import resolve_xid
from core.db import db
from core.env import Env

__all__ = ["DEALS", "sellers", "stage"]

#: (owner, stage, expected close, amount) of the deals the tests read.
DEALS = [
    ("alice", "new", "2026-01-05", "100"), ("alice", "new", "2026-01-20", "250.50"),
    ("alice", "proposal", "2026-02-03", "1000"), ("alice", "proposal", "2026-04-30", "40"),
    ("alice", "qualified", None, "7"),
    ("bob", "new", "2026-01-06", "999"), ("bob", "proposal", "2026-02-10", "5000"),
]


def stage(key: str) -> int:
    """Id of a shipped stage: new, qualified, proposal, negotiation, won, lost."""
    return resolve_xid(f"sales.stage_{key}").record_id


@pytest.fixture
def sellers(app, make_user):
    """Alice and Bob, salespeople who read their own deals only, and Mia, their manager."""
    people = {login: make_user(login, roles=["sales.salesperson"]) for login in ("alice", "bob")}
    people["mia"] = make_user("mia", roles=["sales.manager"])
    records = Env.system().records
    account = records.create("accounts", {"name": "Acme"})
    for owner, key, close, amount in DEALS:
        records.create("opportunities", {"name": f"{owner} {key} {close or 'undated'}", "account_id": account.id,
                                         "amount": amount, "stage_id": stage(key), "close_date": close,
                                         "owner_id": people[owner].id})
    db.session.commit()
    return people


