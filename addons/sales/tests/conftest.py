"""Fixtures of the sales tests: a team of three salespeople, a manager, an account and
the EUR rate, on a database with contacts and sales installed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from core.addons.data import resolve_xid
from core.db import db
from core.env import Env


def stage_id(key: str) -> int:
    """Id of a shipped stage: new, qualified, proposal, negotiation, won, lost."""
    return resolve_xid(f"sales.stage_{key}").record_id


def lost_reason_id(index: int = 1) -> int:
    """Id of a shipped lost reason (1 is Price)."""
    return resolve_xid(f"sales.lost_reason_{index}").record_id


@dataclass
class World:
    manager: Any
    alice: Any
    bob: Any
    carol: Any
    team: Any
    members: dict[str, Any]
    account: Any


@pytest.fixture
def world(app: Any, make_user: Any) -> World:
    """Team "Direct" led by Mia, with Alice (weight 2), Bob and Carol; account Acme; EUR at 1.10."""
    manager = make_user("mia", roles=["sales.manager"], name="Mia Manager")
    alice = make_user("alice", roles=["sales.salesperson"], name="Alice")
    bob = make_user("bob", roles=["sales.salesperson"], name="Bob")
    carol = make_user("carol", roles=["sales.salesperson"], name="Carol")
    records = Env.system().records
    team = records.create("sales_teams", {"name": "Direct", "leader_id": manager.id})
    members = {user.login: records.create("sales_team_members", {"team_id": team.id, "user_id": user.id,
                                                                  "weight": weight})
               for user, weight in ((alice, 2), (bob, 1), (carol, 1))}
    account = records.create("accounts", {"name": "Acme Corporation", "country": "FR"})
    records.create("exchange_rates", {"currency": "EUR", "rate": "1.10", "valid_from": "2025-01-01"})
    db.session.commit()
    return World(manager, alice, bob, carol, team, members, account)
