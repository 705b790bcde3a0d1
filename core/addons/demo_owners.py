"""Owners for demo records: every demo record of a model with an owner (an `owner_id` field
linking to users) that its addon left without one gets one of the demo users, in turn,
and the administrator of a demo database takes a share, so the "My ..." filters, lists
and charts show real figures for each of them on the first run."""
from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from core.addons.data import as_of
from core.addons.state import ExternalId
from core.db import db
from core.env import Env

__all__ = ["spread_demo_ownership", "share_demo_records", "OWNER_FIELD"]

#: The field that says who owns a record, by the platform's convention.
OWNER_FIELD = "owner_id"
#: The administrator takes one demo record in this many, of each owned model.
ADMIN_SHARE = 6


def _owned_models(env: Env) -> list[str]:
    return [resource for resource in env.platform.models
            if (field := env.records.meta(resource).fields.get(OWNER_FIELD)) is not None
            and field.kind == "many2one" and field.relation == "users"]


def _demo_records(env: Env, resource: str) -> list[Any]:
    model = env.platform.models.get(resource)
    ids = select(ExternalId.record_id).where(ExternalId.model == resource, ExternalId.demo.is_(True))
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))


def spread_demo_ownership(env: Env, seed: int) -> int:
    """Give each unowned demo record (of every model with an owner) one of the internal demo
    users, in turn from a random start; returns how many records got one."""
    demo_users = [user.id for user in _demo_records(env, "users") if user.kind == "internal" and user.active]
    if not demo_users:
        return 0
    rng = random.Random(seed)
    given = 0
    for resource in _owned_models(env):
        start = rng.randrange(len(demo_users))
        for number, record in enumerate(r for r in _demo_records(env, resource) if getattr(r, OWNER_FIELD) is None):
            with as_of(env, record.created_at):
                env.records.update(resource, record.id, {OWNER_FIELD: demo_users[(start + number) % len(demo_users)]})
            given += 1
    return given


def share_demo_records(env: Env, user: Any, every: int = ADMIN_SHARE) -> int:
    """Make `user` (the administrator of a new demo database) the owner of one demo record in
    `every` of each owned model; returns how many."""
    shared = 0
    for resource in _owned_models(env):
        for record in _demo_records(env, resource)[::every]:
            with as_of(env, record.created_at):
                env.records.update(resource, record.id, {OWNER_FIELD: user.id})
            shared += 1
    return shared
