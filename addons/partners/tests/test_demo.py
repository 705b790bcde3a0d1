"""Demo data: ten partners across the tiers, with registrations, offers, commissions and
funds, so every screen shows real figures on first run (Checks that must hold, fifth bullet)."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env

from addons.partners.demo import PARTNERS
from addons.partners.models import Commission, DealRegistration, FundRequest, LeadOffer, Partner

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("partners", demo=True)]


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_ten_partners_across_the_tiers_with_their_users_and_a_year_of_work(app, clock):
    partners = db.session.scalars(select(Partner)).all()
    assert len(partners) == len(PARTNERS) == 10
    assert Counter(p.tier.name for p in partners) == {"Platinum": 2, "Gold": 3, "Silver": 3, "Registered": 2}
    assert all(p.channel_manager_id is not None for p in partners)
    statuses = set(db.session.scalars(select(DealRegistration.status)))
    assert statuses == {"submitted", "approved", "rejected", "expired"}
    assert _count(DealRegistration, DealRegistration.has_conflict.is_(True)) == 2
    approved = db.session.scalars(select(DealRegistration).where(DealRegistration.status == "approved")).all()
    assert approved and all(r.opportunity.partner_id == r.partner_id for r in approved)
    assert set(db.session.scalars(select(LeadOffer.status))) == {"offered", "accepted", "declined", "expired"}
    commissions = db.session.scalars(select(Commission)).all()
    assert len(commissions) >= 10 and all(c.amount == (c.base_amount * c.rate / 100).quantize(c.amount) for c in
                                          commissions)
    assert _count(FundRequest) == 15


def test_a_partner_user_of_the_demo_sees_only_their_organisation(app):
    from core.auth.models import User

    desk = db.session.scalar(select(User).where(User.login == "nimbus.partner"))
    env = Env.for_user(desk)
    deals = db.session.scalars(env.records.select("opportunities")).all()
    assert deals and {deal.partner_id for deal in deals} == {desk.partner_id}
