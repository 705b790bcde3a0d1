"""Demo data looks real: interactions, tickets and leads spread over the past year (each made
at its own time, not all stamped at install), records owned by the demo users, and a share
for the administrator, so every "My ..." filter and chart shows something true at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.addons.installer import AddonManager
from core.db import db
from core.env import Env

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)]


def _model(app, resource):
    return app.extensions["spectrum"].models.get(resource)


def test_the_timeline_and_the_desk_span_the_past_year(app, clock):
    now = clock.now()
    interaction, ticket = _model(app, "interactions"), _model(app, "tickets")
    count, first, last = db.session.execute(select(func.count(), func.min(interaction.occurred_at),
                                                   func.max(interaction.occurred_at))).one()
    assert count > 1000, "the contacts' touches are all there"
    assert now - timedelta(days=366) <= first and last <= now and last - first > timedelta(days=300)
    months = {at.strftime("%Y-%m") for at in db.session.scalars(select(interaction.created_at))}
    assert len(months) >= 10, "made over the year, not stamped at install"
    opened = db.session.scalars(select(ticket.opened_at)).all()
    assert max(opened) - min(opened) > timedelta(days=200)
    solved = db.session.scalars(select(ticket.resolved_at).where(ticket.resolved_at.is_not(None))).all()
    assert len({at.date() for at in solved}) > 10, "solved on many days, not all at install"


def test_records_are_owned_by_the_demo_users(app):
    for resource in ("accounts", "contacts", "opportunities"):
        model = _model(app, resource)
        owners = db.session.execute(select(model.owner_id, func.count()).group_by(model.owner_id)).all()
        assert dict(owners).get(None, 0) == 0, f"every demo {resource} has an owner"
        assert len(owners) >= 3, resource


def test_the_administrator_gets_a_share_that_their_filters_show(app, admin, client):
    given = AddonManager(app).share_demo_records(admin)
    db.session.commit()
    assert given > 50
    mine = Env.for_user(admin).records
    for resource in ("accounts", "contacts", "opportunities", "leads"):
        assert mine.count(resource, [["owner_id", "=", admin.id]]).value > 0, resource
