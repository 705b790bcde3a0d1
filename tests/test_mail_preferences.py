"""The preference page behind every unsubscribe link: topic by topic, what an address
still receives; reached by the message's token alone."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.declarations import ConsentTopic
from core.env import Env
from core.mail.consent import blocking_consent
from core.mail.models import Consent
from core.mail.outbound import send_mail
from core.mail.tracking import unsubscribe_url

pytestmark = pytest.mark.spectrum_addons("contacts")


@pytest.fixture
def letters(app, monkeypatch):
    """Ada received a newsletter and a spring sale (both unsubscribable) and a receipt;
    an addon declares marketing mail as a topic."""
    app.extensions["spectrum"].settings["base_url"] = "https://crm.example.com"
    monkeypatch.setattr(app.extensions["spectrum"], "consent_topics",
                        [ConsentTopic("email.marketing", "Marketing email", description="Offers and news")])
    env = Env.system()
    sent = {channel: send_mail(env, "Ada@Example.com", subject="Hello", text="Hi", channel=channel,
                               unsubscribe=channel != "email")
            for channel in ("email.marketing.newsletter", "email.marketing.spring_sale", "email")}
    db.session.commit()
    return sent


def _page_of(message) -> str:
    return unsubscribe_url(message).replace("https://crm.example.com/mail/u/", "/mail/p/")


def test_the_page_lists_the_declared_and_received_topics_and_masks_the_address(letters, client):
    page = client.get(_page_of(letters["email.marketing.newsletter"]))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "a•••@example.com" in text and "ada@" not in text
    assert (page.headers["Cache-Control"], page.headers["Referrer-Policy"]) == ("no-store", "no-referrer")
    for label in ("Marketing email", "Offers and news", "Newsletter", "Spring sale"):
        assert label in text
    assert 'value="email"' not in text  # the receipt had no unsubscribe link: not a topic to stop
    assert text.count(" checked") == 3


def test_unticking_a_topic_withdraws_it_alone_and_ticking_it_again_grants_it(letters, client):
    page = _page_of(letters["email.marketing.spring_sale"])
    response = client.post(page, data={"topic": ["email.marketing", "email.marketing.spring_sale"]})
    assert response.status_code == 200 and "Saved" in response.get_data(as_text=True)
    db.session.commit()
    assert blocking_consent("ada@example.com", "email.marketing.newsletter").source == "preferences"
    assert blocking_consent("ada@example.com", "email.marketing.spring_sale") is None
    client.post(page, data={"topic": ["email.marketing", "email.marketing.newsletter",
                                      "email.marketing.spring_sale"]})
    db.session.commit()
    assert blocking_consent("ada@example.com", "email.marketing.newsletter") is None
    granted = db.session.scalar(select(Consent).where(Consent.channel == "email.marketing.newsletter"))
    assert (granted.state, granted.reason) == ("granted", "preference page")


def test_withdrawing_the_broad_topic_stops_the_narrow_ones_until_it_is_ticked_again(letters, client):
    page = _page_of(letters["email.marketing.newsletter"])
    client.post(page, data={"topic": ["email.marketing.newsletter", "email.marketing.spring_sale"]})
    db.session.commit()
    assert blocking_consent("ada@example.com", "email.marketing.spring_sale").channel == "email.marketing"
    text = client.get(page).get_data(as_text=True)
    assert text.count(" disabled") == 2 and text.count(" checked") == 0
    refused = send_mail(Env.system(), "ada@example.com", subject="Sale", text="Hi", channel="email.marketing.spring_sale",
                        unsubscribe=True)
    assert refused.status == "suppressed"


def test_a_forged_token_or_a_message_without_an_unsubscribe_link_finds_no_page(letters, client):
    receipt = letters["email"]
    good = _page_of(letters["email.marketing.newsletter"])
    assert client.get(good[:-3] + "abc").status_code == 404
    assert client.get(_page_of(receipt)).status_code == 404
    assert client.post(_page_of(receipt), data={}).status_code == 404
