"""Lead distribution: weights, capacity, the answer time across a weekend, refusals
(Checks that must hold, second bullet)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute
from core.mail.models import MailMessage
from core.records.errors import ValidationFailed

from addons.partners.distribution.fairness import Candidate, pick
from addons.partners.distribution.offers import MAX_REFUSALS, accept, decline, offer_lead
from addons.partners.distribution.sweep import TIMEOUT_JOB
from addons.partners.models import LeadOffer

pytestmark = pytest.mark.spectrum_addons("partners")

FRIDAY_9 = datetime(2026, 1, 9, 9, 0, tzinfo=timezone.utc)


def _lead(title, **values):
    lead = Env.system().records.create("leads", {"title": title, "company_name": title, "country": "FR", **values})
    db.session.commit()
    return lead


def _offers(lead_id):
    return db.session.scalars(select(LeadOffer).where(LeadOffer.lead_id == lead_id).order_by(LeadOffer.id)
                              .execution_options(populate_existing=True)).all()


def _sweep(app):
    run = execute(enqueue(TIMEOUT_JOB).id)
    assert run.status == "succeeded", run.error
    return run.result


def test_the_round_robin_is_pure_and_remembers_past_offers():
    gold, silver = Candidate(1, 3, 0), Candidate(2, 1, 0)
    turns = []
    for _ in range(8):
        chosen = pick([gold, silver])
        turns.append(chosen.partner_id)
        gold, silver = (Candidate(c.partner_id, c.weight, c.offers + (c is chosen)) for c in (gold, silver))
    assert turns == [1, 1, 1, 2, 1, 1, 1, 2]
    assert pick([Candidate(3, 0, 0)]) is None


def test_eight_leads_go_six_to_gold_and_two_to_silver(channel, api_as):
    for partner in (channel.gold, channel.silver):
        Env.system().records.update("partners", partner.id, {"capacity": 20})
    db.session.commit()
    api = api_as(channel.manager)
    for index in range(8):
        lead = _lead(f"Lead {index}")
        answer = api.post(f"/api/v1/leads/{lead.id}/offer_to_partners", json={})
        assert answer.status_code == 200, answer.json
    given = Counter(db.session.scalars(select(LeadOffer.partner_id)))
    assert given == {channel.gold.id: 6, channel.silver.id: 2}


def test_a_partner_at_capacity_is_skipped(channel):
    Env.system().records.update("partners", channel.gold.id, {"capacity": 1})
    db.session.commit()
    first, second = _lead("First"), _lead("Second")
    assert offer_lead(Env.system(), first).partner_id == channel.gold.id
    assert offer_lead(Env.system(), second).partner_id == channel.silver.id  # Gold's one slot is taken
    accept(Env.for_user(channel.gold_user), _offers(first.id)[0].id)
    db.session.commit()
    assert offer_lead(Env.system(), _lead("Third")).partner_id == channel.gold.id  # room again


def test_partners_outside_the_territory_or_speciality_are_not_offered(channel):
    records = Env.system().records
    records.update("partners", channel.gold.id, {"countries": "BE"})
    records.update("partners", channel.silver.id, {"specialities": "retail"})
    db.session.commit()
    assert offer_lead(Env.system(), _lead("Software in France", industry="technology")) is None
    assert offer_lead(Env.system(), _lead("Shop in France", industry="retail")).partner_id == channel.silver.id


def test_an_offer_unanswered_for_48_business_hours_across_a_weekend_moves_to_the_next_partner(app, channel, clock):
    clock.set(FRIDAY_9)
    lead = _lead("Weekend lead")
    offer = offer_lead(Env.system(), lead)
    db.session.commit()
    assert (offer.partner_id, offer.due_at) == (channel.gold.id, datetime(2026, 1, 13, 9, 0, tzinfo=timezone.utc))
    clock.set(FRIDAY_9 + timedelta(hours=48))  # Sunday: no business time passed over the weekend
    assert _sweep(app) == {"expired": 0, "offered": 0}
    clock.set(datetime(2026, 1, 13, 8, 59, tzinfo=timezone.utc))
    assert _sweep(app)["expired"] == 0
    clock.set(datetime(2026, 1, 13, 9, 0, tzinfo=timezone.utc))
    assert _sweep(app) == {"expired": 1, "offered": 1}
    assert _sweep(app) == {"expired": 0, "offered": 0}
    first, second = _offers(lead.id)
    assert (first.status, second.partner_id, second.status, second.attempt) == (
        "expired", channel.silver.id, "offered", 2)
    with pytest.raises(ValidationFailed, match="expired already"):
        accept(Env.for_user(channel.gold_user), first.id)


def test_after_n_refusals_the_lead_goes_back_to_the_internal_team(channel, make_user):
    records = Env.system().records
    for name in ("Gamma Partners", "Delta Partners"):
        account = records.create("accounts", {"name": name})
        records.create("partners", {"account_id": account.id, "tier_id": channel.tiers["Registered"].id,
                                    "countries": "FR"})
    db.session.commit()
    lead = _lead("Nobody wants it")
    offer_lead(Env.system(), lead)
    for attempt in range(1, MAX_REFUSALS + 1):
        current = _offers(lead.id)[-1]
        assert (current.status, current.attempt) == ("offered", attempt)
        holder = make_user(f"holder{attempt}", roles=["base.partner"], kind="partner", partner_id=current.partner_id)
        decline(Env.for_user(holder), current.id, "Not our market")
        db.session.commit()
    offers = _offers(lead.id)
    assert [o.status for o in offers] == ["declined"] * MAX_REFUSALS and len({o.partner_id for o in offers}) == 3
    assert db.session.get(type(lead), lead.id).partner_id is None


def test_a_partner_answers_only_its_own_offers_and_is_mailed_each(channel, api_as):
    lead = _lead("Contested")
    offer = offer_lead(Env.system(), lead)
    db.session.commit()
    [mail] = db.session.scalars(select(MailMessage).where(MailMessage.related_model == "lead_offers",
                                                          MailMessage.related_id == offer.id)).all()
    assert (mail.to_address, mail.subject) == ("deals@alpha.example", "New lead offered: Contested")
    assert "before 2026-01-07 09:00 UTC" in mail.body_text
    assert api_as(channel.silver_user).post(f"/api/v1/lead_offers/{offer.id}/accept", json={}).status_code == 404
    taken = api_as(channel.gold_user).post(f"/api/v1/lead_offers/{offer.id}/accept", json={})
    assert taken.status_code == 200 and taken.json["status"] == "accepted"
    assert api_as(channel.gold_user).get(f"/api/v1/leads/{lead.id}").json["title"] == "Contested"
    assert api_as(channel.silver_user).get(f"/api/v1/leads/{lead.id}").status_code == 404
