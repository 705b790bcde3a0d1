"""The channel manager's buttons on record pages: a registration's conflicts and decision,
a lead offered to partners, a tier change approved."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in

from addons.partners.models import DealRegistration, LeadOffer
from addons.partners.registrations.submission import register_deal

pytestmark = pytest.mark.spectrum_addons("partners")


def test_the_channel_manager_sees_the_conflict_and_decides_on_the_page(channel, client):
    first = register_deal(Env.for_user(channel.gold_user), {"customer_name": "Acme Industries",
                                                            "customer_domain": "acme.com"})
    second = register_deal(Env.for_user(channel.silver_user), {"customer_name": "Acme Industries SA"})
    db.session.commit()
    sign_in(client, "mia")
    page = client.get(f"/m/deal_registrations/{second.id}").get_data(as_text=True)
    assert f'href="/m/deal_registrations/{first.id}">Registration Acme Industries</a> · Alpha Resellers' in page
    token = csrf_token(page)
    refused = client.post(f"/partners/registrations/{second.id}/reject", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "Say why the registration is rejected" in refused
    client.post(f"/partners/registrations/{first.id}/approve", data={"csrf_token": token, "reason": "First in"})
    assert db.session.get(DealRegistration, first.id, populate_existing=True).status == "approved"
    flagged = client.get(f"/m/deal_registrations/{second.id}").get_data(as_text=True)
    assert "Another registration of this customer was approved." in flagged


def test_a_lead_is_offered_from_its_page_and_its_offers_listed(channel, client):
    lead = Env.system().records.create("leads", {"title": "Walk-in", "country": "FR"})
    db.session.commit()
    sign_in(client, "mia")
    page = client.get(f"/m/leads/{lead.id}").get_data(as_text=True)
    assert "Offer to partners" in page and "Not offered to partners." in page
    done = client.post(f"/partners/leads/{lead.id}/offer", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Offered to Alpha Resellers." in done and "1. Alpha Resellers · offered" in done
    assert db.session.query(LeadOffer).filter_by(lead_id=lead.id).count() == 1


def test_a_salesperson_cannot_offer_leads(channel, client):
    lead = Env.system().records.create("leads", {"title": "Mine", "country": "FR", "owner_id": channel.seller.id})
    db.session.commit()
    sign_in(client, "sam")
    page = client.get(f"/m/leads/{lead.id}").get_data(as_text=True)
    assert "Offer to partners" not in page
    client.post(f"/partners/leads/{lead.id}/offer", data={"csrf_token": csrf_token(page)})
    assert db.session.query(LeadOffer).count() == 0
