"""The users the benchmarks act as, made through the product as an admin would make them.

- `bench.team1`: a salesperson who may read only the contacts owned by the members of
  their team, through a record rule (the rule an admin writes for "my team's customers").
- `rep01`: a salesperson of the sales addon (reads every contact, works their own deals).
- `bench.director`: the sales director, who sees the whole pipeline board.
- `admin`: the administrator `spectrum init` made, who sees everything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

__all__ = ["Actors", "prepare_actors", "TEAM_LOGIN", "TEAM_ROLE"]

TEAM_LOGIN = "bench.team1"
TEAM_ROLE = "Bench: contacts of team 1"


@dataclass
class Actors:
    """Bearer tokens of the benchmark users and the owners the team rule admits."""

    team_token: str
    team_user_id: int
    team_owner_ids: list[int]
    rep_token: str
    director_token: str | None
    admin_token: str
    rep_user_id: int


def prepare_actors(url: str, with_sales: bool) -> Actors:
    """Create (once) the benchmark users, role and record rule; issue fresh tokens."""
    from core.app import create_app
    from core.auth.accounts import create_user, issue_token
    from core.auth.models import User
    from core.db import db
    from core.env import Env

    app = create_app({"database_url": url})
    with app.app_context():
        env = Env.system()
        users = {user.login: user for user in db.session.scalars(select(User))}
        team_owner_ids = sorted(user.id for login, user in users.items() if login in
                                {f"rep{n:02d}" for n in range(1, 6)})
        if TEAM_LOGIN not in users:
            role = env.records.create("roles", {"name": TEAM_ROLE})
            env.records.create("model_access", {"role_id": role.id, "model": "contacts", "can_read": True})
            env.records.create("record_rules", {
                "name": "Contacts owned by team 1", "role_id": role.id, "model": "contacts",
                "domain": [["owner_id", "in", team_owner_ids]]})
            user = create_user(env, TEAM_LOGIN, "Bench team-1 salesperson", roles=("base.user",))
            user.roles.append(role)
            users[TEAM_LOGIN] = user
            if with_sales:
                users["bench.director"] = create_user(env, "bench.director", "Bench sales director",
                                                      roles=("sales.director",))
            db.session.flush()
        expires = env.now() + timedelta(days=1)
        actors = Actors(
            team_token=issue_token(users[TEAM_LOGIN], "bench", env.now(), expires),
            team_user_id=users[TEAM_LOGIN].id,
            team_owner_ids=team_owner_ids,
            rep_token=issue_token(users["rep01"], "bench", env.now(), expires),
            director_token=issue_token(users["bench.director"], "bench", env.now(), expires) if with_sales else None,
            admin_token=issue_token(users["admin"], "bench", env.now(), expires),
            rep_user_id=users["rep01"].id,
        )
        db.session.commit()
        return actors
