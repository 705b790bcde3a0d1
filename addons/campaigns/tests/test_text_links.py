"""The plain-text part of a campaign email tracks its links as the HTML part does: each URL
is the same tracked redirect as the HTML's link to it (one count per link), leading to the
destination with the campaign's UTM values and moving the delivery and the member on."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from core.db import db
from core.jobs.worker import Worker
from core.mail.models import MailLink, MailMessage

from addons.campaigns.models import CampaignDelivery, CampaignMember

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

_BODY = ('<p>Hi {{ contact.first_name }}, see <a href="https://shop.example.com/sale?ref=mail">the sale</a>.</p>'
         '<p><a href="https://shop.example.com/help">Help</a> · '
         '<a href="https://shop.example.com/sale?ref=mail">Shop again</a></p>')
_CLICK = re.compile(r"https?://[^\s<>()\[\]\"']+/mail/c/[A-Za-z0-9_.\-]+")


def _send(app, smtp_server, api):
    smtp_server.configure(app)
    campaign = api.post("/api/v1/campaigns", json={"name": "Sale", "utm_campaign": "sale26"}).json
    segment = api.post("/api/v1/segments", json={"name": "Everyone"}).json
    message = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "subject": "Sale", "body": _BODY}).json
    assert api.post(f"/api/v1/_campaigns/messages/{message['id']}/send").status_code == 200
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass
    return message, {mail.rcpt_tos[0]: mail.message for mail in smtp_server.messages}


def test_the_text_part_links_are_the_html_links_tracked_redirects(app, smtp_server, api_as, people, client):
    message, received = _send(app, smtp_server, api_as(people.manager))
    anna = received["anna@example.com"]
    text = anna.get_body(("plain",)).get_content()
    html = anna.get_body(("html",)).get_content()
    assert "shop.example.com" not in text, text
    text_links, html_links = _CLICK.findall(text), _CLICK.findall(html)
    assert len(text_links) == 3 and text_links == html_links  # the same tracked link per URL in both parts
    assert text_links[0] == text_links[2] != text_links[1]
    assert "[the sale](" + text_links[0] + ")" in text

    answer = client.get(urlsplit(text_links[1]).path)
    assert answer.status_code == 302
    assert answer.headers["Location"] == \
        "https://shop.example.com/help?utm_source=spectrum&utm_medium=email&utm_campaign=sale26"
    client.get(urlsplit(text_links[0]).path)
    client.get(urlsplit(html_links[2]).path)

    delivery = db.session.scalar(select(CampaignDelivery).where(CampaignDelivery.message_id == message["id"],
                                                                CampaignDelivery.contact_id == people["anna"])
                                 .execution_options(populate_existing=True))
    assert delivery.status == "clicked" and delivery.clicked_at is not None
    member = db.session.scalar(select(CampaignMember).where(CampaignMember.contact_id == people["anna"])
                               .execution_options(populate_existing=True))
    assert member.status == "clicked"
    mail = db.session.scalar(select(MailMessage).where(MailMessage.to_address == "anna@example.com"))
    counts = dict(db.session.execute(select(MailLink.url, MailLink.click_count)
                                     .where(MailLink.message_id == mail.id)).all())
    assert counts == {"https://shop.example.com/sale?ref=mail&utm_source=spectrum&utm_medium=email&utm_campaign=sale26": 2,
                      "https://shop.example.com/help?utm_source=spectrum&utm_medium=email&utm_campaign=sale26": 1}


def test_preview_text_shows_the_destinations_with_utm(app, api_as, people):
    api = api_as(people.manager)
    campaign = api.post("/api/v1/campaigns", json={"name": "Sale", "utm_campaign": "sale26"}).json
    message = api.post("/api/v1/campaign_messages", json={"campaign_id": campaign["id"], "subject": "Sale",
                                                          "body": _BODY}).json
    answer = api.post(f"/api/v1/campaign_messages/{message['id']}/preview", json={"contact_id": people["anna"]})
    assert answer.status_code == 200, answer.json
    assert "[Help](https://shop.example.com/help?utm_source=spectrum&utm_medium=email&utm_campaign=sale26)" \
        in answer.json["text"]
    assert "/mail/c/" not in answer.json["text"]
