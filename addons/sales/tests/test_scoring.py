"""Lead scoring: rule points plus the win chance learned from the team's history (naive
Bayes), with the factors that drove it; open deals are predicted too.

History of team Direct (all at account Acme, country FR): 6 won (4 from partners, 2
from the web, all reached Negotiation) and 6 lost (1 partner, 5 web, reached Qualified).
Prior odds 6:6. Source odds (Laplace, 2 values + 1): partner (5/9)/(2/9) = 2.5, web
(3/9)/(6/9) = 0.5. Country FR (1 value + 1): (7/8)/(7/8) = 1. Reached Proposal (2
outcomes): (7/8)/(1/8) = 7.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.outbound import send_mail

from addons.sales.scoring import score_leads
from core.testing.web import sign_in
from addons.sales.tests.conftest import lost_reason_id, stage_id

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def history(world):
    records = Env.system().records
    outcomes = [("won", "partner")] * 4 + [("won", "web")] * 2 + [("lost", "partner")] + [("lost", "web")] * 5
    for number, (outcome, source) in enumerate(outcomes):
        extra = {"stage_reached_id": stage_id("negotiation")} if outcome == "won" else {
            "stage_reached_id": stage_id("qualified"), "lost_reason_id": lost_reason_id()}
        records.create("opportunities", {
            "name": f"Past {number}", "account_id": world.account.id, "amount": "1000", "source": source,
            "team_id": world.team.id, "stage_id": stage_id(outcome), "closed_on": "2025-11-03", **extra})
    db.session.commit()


def test_a_lead_gets_rule_points_and_a_predicted_chance_with_its_factors(world, history):
    records = Env.system().records
    lead = records.create("leads", {"title": "Referral", "company_name": "Initech", "phone": "+33 1 00 00 00 00",
                                    "email": "bill@initech.example", "source": "partner", "country": "FR",
                                    "team_id": world.team.id})
    db.session.commit()
    assert lead.score == 35  # company known 10, phone 5, referred by a partner 20
    assert lead.predicted_probability == Decimal("71.43")  # odds 2.5 x 1: 2.5 / 3.5
    assert lead.score_factors == {
        "rules": [{"name": "Company known", "points": 10}, {"name": "Phone number given", "points": 5},
                  {"name": "Referred by a partner or an existing customer", "points": 20}],
        "prediction": {"basis": "won and lost deals of team Direct", "won": 6, "lost": 6, "prior": 50.0,
                       "factors": [{"feature": "Source", "value": "Partner", "ratio": 2.5},
                                   {"feature": "Country", "value": "FR", "ratio": 1.0}]},
    }
    web = records.create("leads", {"title": "Form", "email": "x@gmail.com", "source": "web", "country": "FR",
                                   "team_id": world.team.id})
    assert (web.score, web.predicted_probability) == (-10, Decimal("33.33"))


def test_an_open_deal_is_predicted_when_created_and_when_it_moves(world, history, api_as):
    records = Env.for_user(world.alice).records
    deal = records.create("opportunities", {"name": "Next", "account_id": world.account.id, "amount": "5000",
                                            "source": "web", "team_id": world.team.id, "owner_id": world.alice.id,
                                            "stage_id": stage_id("proposal")})
    db.session.commit()
    # Reached Proposal x7, web x0.5, FR x1: odds 3.5, chance 3.5 / 4.5.
    assert deal.predicted_probability == Decimal("77.78")
    assert deal.score_factors["prediction"]["factors"] == [
        {"feature": "Stage", "value": "reached Proposal", "ratio": 7.0},
        {"feature": "Source", "value": "Web", "ratio": 0.5}, {"feature": "Country", "value": "FR", "ratio": 1.0}]
    records.update("opportunities", deal.id, {"stage_id": stage_id("new")})
    db.session.commit()
    # Every closed deal passed New: x (7/8)/(7/8) = 1, so only the source counts: 0.5 / 1.5.
    assert deal.predicted_probability == Decimal("33.33")
    answer = api_as(world.alice).post(f"/api/v1/opportunities/{deal.id}/score")
    assert answer.status_code == 200
    assert (answer.json["predicted_probability"], answer.json["factors"]["prediction"]["basis"]) == (
        "33.33", "won and lost deals of team Direct")


def test_too_little_history_gives_no_prediction(world):
    lead = Env.system().records.create("leads", {"title": "Early", "email": "e@early.example",
                                                 "team_id": world.team.id})
    assert (lead.predicted_probability, lead.score_factors["prediction"]) == (None, None)


def test_the_lead_page_shows_the_score_and_its_factors(world, history, client):
    lead = Env.system().records.create("leads", {"title": "Referral", "company_name": "Initech",
                                                 "email": "bill@initech.example", "source": "partner",
                                                 "country": "FR", "team_id": world.team.id,
                                                 "owner_id": world.alice.id})
    db.session.commit()
    sign_in(client, "alice")
    html = client.get(f"/m/leads/{lead.id}").get_data(as_text=True)
    assert "Score 30 · 71% predicted to win" in html
    assert "+20 Referred by a partner or an existing customer" in html
    assert "<td>Source</td><td>Partner</td><td class=\"num\">×2.50</td>" in html


def test_the_periodic_job_rescores_when_rules_change(app, world, history, clock):
    lead = Env.system().records.create("leads", {"title": "Quiet", "email": "q@quiet.example",
                                                 "team_id": world.team.id})
    Env.system().records.create("lead_scoring_rules", {"name": "Everybody", "domain": [], "points": 3})
    db.session.commit()
    assert Worker(app).run_once() >= 1
    db.session.expire_all()
    refreshed = Env.system().records.get("leads", lead.id)
    assert refreshed.score == 3
    assert {"name": "Everybody", "points": 3} in refreshed.score_factors["rules"]


def test_opening_and_clicking_our_emails_raises_the_score(app, world, client, smtp_server):
    smtp_server.configure(app)
    app.extensions["spectrum"].settings.update({"base_url": "https://crm.example.com"})
    records = Env.system().records
    lead = records.create("leads", {"title": "Reader", "email": "reader@news.example", "team_id": world.team.id})
    for number in (1, 2):
        send_mail(Env.system(), lead.email, record=("leads", lead.id), subject=f"News {number}",
                  html='<p>Hello</p><p><a href="https://example.org/offer">Offer</a></p>')
    db.session.commit()
    Worker(app).run_once()
    for received in smtp_server.messages:  # the lead opens both and clicks once, through the real tracking
        html = received.message.get_body(preferencelist=("html",)).get_content()
        assert client.get(html.split('<img src="https://crm.example.com')[1].split('"')[0]).status_code == 200
    html = smtp_server.messages[0].message.get_body(preferencelist=("html",)).get_content()
    assert client.get(html.split('href="https://crm.example.com')[1].split('"')[0]).status_code == 302
    db.session.expire_all()
    lead = records.get("leads", lead.id)
    assert (lead.emails_opened, lead.emails_clicked) == (2, 1)
    score_leads(Env.system(), [lead.id])  # the hourly job would; run it now
    assert lead.score == 25  # opened two of our emails 10, clicked a link 15
    assert [rule["name"] for rule in lead.score_factors["rules"]] == [
        "Opened two of our emails", "Clicked a link in our emails"]
