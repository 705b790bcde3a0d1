"""On the demo database analytics shows real figures at once: facts from the demo deals,
gifts and payments spread over the year, customers in several RFM segments and value
tiers, and cohorts with customers who came back."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env

from addons.analytics.cohorts import cohort_matrix
from addons.analytics.models import AnalyticsTransaction, TransactionSource
from addons.analytics.rfm import today

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons(
    "contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership", "analytics",
    demo=True)]


def test_the_demo_facts_come_from_every_source_over_the_year(app: Any) -> None:
    by_source = dict(db.session.execute(select(AnalyticsTransaction.source, func.count())
                                        .group_by(AnalyticsTransaction.source)).all())
    states = db.session.execute(select(TransactionSource.key, TransactionSource.transactions,
                                       TransactionSource.skipped, TransactionSource.watermark)).all()
    assert by_source.get("sales.won_opportunities", 0) >= 20, (by_source, states)
    assert by_source.get("membership.donations", 0) >= 50, (by_source, states)
    assert by_source.get("membership.payments", 0) >= 20, by_source
    assert by_source.get("campaigns.costs", 0) >= 20, "the demo campaigns' costs, shared among who they reached"
    assert {key: skipped for key, _count, skipped, _mark in states if skipped} == {}, \
        "every demo amount converts: the demo rates go back as far as the demo's history"
    months = db.session.scalars(select(func.count(func.distinct(func.substr(
        func.cast(AnalyticsTransaction.occurred_on, db.String), 1, 7))))).one()
    assert months >= 10, "spread over the year"


def test_the_demo_customers_have_segments_tiers_and_cohorts(app: Any) -> None:
    contacts = app.extensions["spectrum"].models.get("contacts")
    segments = dict(db.session.execute(select(contacts.rfm_segment, func.count())
                                       .where(contacts.rfm_segment.is_not(None)).group_by(contacts.rfm_segment)).all())
    assert len(segments) >= 4 and sum(segments.values()) >= 50, segments
    tiers = dict(db.session.execute(select(contacts.value_tier, func.count())
                                    .where(contacts.value_tier.is_not(None)).group_by(contacts.value_tier)).all())
    assert len(tiers) >= 2, tiers
    env = Env.system()
    matrix = cohort_matrix(env, today(env), 12)
    assert sum(cohort.customers for cohort in matrix) >= 30
    assert any(count for cohort in matrix for count in cohort.retained[1:] if count), "some came back"
