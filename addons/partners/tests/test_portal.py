"""The partner portal: a partner user's own deals only (by id, list, search, export, stage
totals), no internal note, deals moved and registered with errors beside the fields,
offers answered, marketing material from the knowledge base through the hook."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in

from addons.partners.distribution.offers import offer_lead
from addons.partners.funds import approve_funds
from addons.partners.models import FundRequest
from addons.partners.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("partners")


@pytest.fixture
def deals(channel):
    records = Env.system().records
    made = {}
    for name, partner, amount in (("Alpha deal", channel.gold, "1000"), ("Alpha second", channel.gold, "3000"),
                                  ("Beta deal", channel.silver, "5000")):
        account = records.create("accounts", {"name": f"Customer of {name}"})
        made[name] = records.create("opportunities", {
            "name": name, "account_id": account.id, "amount": amount, "stage_id": stage_id("proposal"),
            "owner_id": channel.seller.id, "partner_id": partner.id, "notes": "Vendor margin 40 %"})
        records.create("interactions", {"channel": "note", "direction": "internal", "subject": "Internal: cap at 15 %",
                                        "occurred_at": "2026-01-05T09:00:00+00:00", "account_id": account.id,
                                        "related_model": "opportunities", "related_id": made[name].id})
    db.session.commit()
    return made


def test_a_partner_user_sees_their_own_deals_only_on_every_portal_page(channel, deals, client):
    sign_in(client, "paula")
    assert client.get("/m/opportunities").headers["Location"].endswith("/partner/")  # back office: not theirs
    assert client.get(f"/partner/opportunities/{deals['Beta deal'].id}").status_code == 404
    page = client.get(f"/partner/opportunities/{deals['Alpha deal'].id}").get_data(as_text=True)
    assert "Alpha deal" in page and "Vendor margin" not in page and "cap at 15" not in page
    listed = client.get("/partner/opportunities").get_data(as_text=True)
    assert "Alpha second" in listed and "Beta deal" not in listed
    assert '<strong>Proposal</strong> <span class="count">2</span> · <span class="sum">4,000</span>' in listed
    searched = client.get("/partner/opportunities?q=deal").get_data(as_text=True)
    assert "Alpha deal" in searched and "Alpha second" not in searched and "Beta" not in searched
    exported = client.get("/partner/opportunities.csv").get_data(as_text=True).splitlines()
    assert [line.split(",")[1] for line in exported[1:]] == ["Alpha deal", "Alpha second"]
    assert "Vendor margin" not in "".join(exported)


def test_a_partner_moves_a_stage_plans_a_next_step_and_logs_an_activity(channel, deals, client):
    sign_in(client, "paula")
    url = f"/partner/opportunities/{deals['Alpha deal'].id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    won = client.post(url, data={"csrf_token": token, "action": "stage", "stage_id": stage_id("won")})
    assert won.status_code == 422 and "for your channel manager" in won.get_data(as_text=True)
    moved = client.post(url, data={"csrf_token": token, "action": "stage", "stage_id": stage_id("negotiation")})
    assert moved.status_code == 303
    empty = client.post(url, data={"csrf_token": token, "action": "next_step", "summary": "Demo"})
    assert empty.status_code == 422 and "Say when" in empty.get_data(as_text=True)
    client.post(url, data={"csrf_token": token, "action": "next_step", "summary": "Demo to the board",
                           "due_at": "2026-01-20"})
    client.post(url, data={"csrf_token": token, "action": "log", "kind": "call", "summary": "Called the buyer"})
    page = client.get(url).get_data(as_text=True)
    assert "Demo to the board" in page and "Called the buyer" in page
    deal = Env.system().records.get("opportunities", deals["Alpha deal"].id)
    assert deal.stage_id == stage_id("negotiation")
    other = f"/partner/opportunities/{deals['Beta deal'].id}"
    assert client.post(other, data={"csrf_token": token, "action": "log", "kind": "call",
                                    "summary": "x"}).status_code == 404


def test_registering_a_deal_shows_errors_beside_the_fields_then_the_conflict(channel, client):
    Env.system().records.create("deal_registrations", {"partner_id": channel.silver.id, "customer_name": "Acme"})
    db.session.commit()
    sign_in(client, "paula")
    token = csrf_token(client.get("/partner/registrations/new").get_data(as_text=True))
    bad = client.post("/partner/registrations/new", data={"csrf_token": token, "customer_name": "Acme",
                                                          "contact_email": "not an email"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="contact_email"' in html and "field-error" in html
    done = client.post("/partner/registrations/new", data={"csrf_token": token, "customer_name": "ACME Inc",
                                                           "amount": "2500"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Another deal for this customer is known" in html and "Beta Agency" not in html


def test_offers_are_answered_on_the_home_page(channel, client):
    lead = Env.system().records.create("leads", {"title": "Offered lead", "country": "FR"})
    db.session.commit()
    offer = offer_lead(Env.system(), lead)
    db.session.commit()
    sign_in(client, "paula")
    home = client.get("/partner/").get_data(as_text=True)
    assert "Offered lead" in home
    answer = client.post(f"/partner/offers/{offer.id}/accept", data={"csrf_token": csrf_token(home)})
    assert answer.status_code == 303
    assert Env.system().records.get("leads", lead.id).partner_id == channel.gold.id


@pytest.mark.spectrum_addons("partners", "service_desk")
def test_marketing_material_is_the_knowledge_bases_partner_articles(channel, client):
    records = Env.system().records
    partner_kit = records.create("kb_categories", {"name": "Partner kit"})
    internal = records.create("kb_categories", {"name": "Internal"})
    for title, category, state in (("Battle card", partner_kit, "published"), ("Draft deck", partner_kit, "draft"),
                                   ("Pricing floor", internal, "published")):
        records.create("kb_articles", {"title": title, "body": f"{title} text", "category_id": category.id,
                                       "state": state})
    db.session.commit()
    sign_in(client, "paula")
    page = client.get("/partner/material").get_data(as_text=True)
    assert "Battle card" in page and "Draft deck" not in page and "Pricing floor" not in page
    [key] = [part.split('"')[0] for part in page.split('href="/partner/material/')[1:] if "download" not in part[:20]]
    download = client.get(f"/partner/material/{key}?download=1")
    assert download.get_data(as_text=True) == "Battle card text" and "attachment" in download.headers[
        "Content-Disposition"]


def test_without_a_knowledge_base_there_is_no_material(channel, client):
    sign_in(client, "paula")
    assert "No material is published" in client.get("/partner/material").get_data(as_text=True)


def test_funds_are_asked_and_claimed_in_the_portal(app, channel, client):
    sign_in(client, "paula")
    token = csrf_token(client.get("/partner/funds/new").get_data(as_text=True))
    bad = client.post("/partner/funds/new", data={"csrf_token": token, "activity": "Booth", "starts_on": "2026-02-01",
                                                  "budget": "0"})
    assert bad.status_code == 422 and "Give a budget greater than 0." in bad.get_data(as_text=True)
    client.post("/partner/funds/new", data={"csrf_token": token, "activity": "Booth", "starts_on": "2026-02-01",
                                            "budget": "2000"})
    booth = db.session.query(FundRequest).one()
    assert (booth.partner_id, booth.status) == (channel.gold.id, "requested")
    approve_funds(Env.for_user(channel.manager), booth, {})
    db.session.commit()
    assert f'href="/partner/funds/{booth.id}/claim"' in client.get("/partner/").get_data(as_text=True)
    url = f"/partner/funds/{booth.id}/claim"
    no_proof = client.post(url, data={"csrf_token": token, "amount": "1500"})
    assert no_proof.status_code == 422 and "Give the proof of spend" in no_proof.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": token, "amount": "1500", "proof": "INV-7"}).status_code == 303
    assert db.session.get(FundRequest, booth.id, populate_existing=True).status == "claimed"
    other = app.test_client()
    sign_in(other, "pierre")
    assert other.get(url).status_code == 404
