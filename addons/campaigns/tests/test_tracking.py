"""Mail events of a campaign email move its delivery row, and the contact's member row of
the campaign, forward, never back: the open pixel and the tracked link of the kernel
(real routes), a bounce and an unsubscribe."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.events import emit
from core.mail import signals
from core.mail.outbound import send_mail
from core.mail.tracking import click_url, open_url, unsubscribe_url

from addons.campaigns.models import CampaignDelivery, CampaignMember

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


def _campaign_mail(campaign: Any = None, contact: Any = None) -> tuple[CampaignDelivery, Any]:
    """A delivery marked sent (with its member row) and the campaign email sent for it, as
    the sender makes them."""
    records = Env.system().records
    contact = contact or records.create("contacts", {"first_name": "Olga", "last_name": "Open",
                                                     "email": "olga@example.com"})
    campaign = campaign or records.create("campaigns", {"name": "Autumn"})
    email = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "Autumn", "body": "<p>Hi</p>"})
    if db.session.scalar(select(CampaignMember.id).where(CampaignMember.campaign_id == campaign.id,
                                                         CampaignMember.contact_id == contact.id)) is None:
        records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": contact.id, "status": "sent"})
    delivery = records.create("campaign_deliveries", {"campaign_id": campaign.id, "message_id": email.id,
                                                      "contact_id": contact.id, "status": "sent"})
    message = send_mail(Env.system(), contact.email, subject="Autumn", html='<p><a href="https://shop.example/a">Shop</a></p>',
                        record=("campaign_deliveries", delivery.id), recipient=("contacts", contact.id),
                        channel="email.marketing", unsubscribe=True)
    db.session.commit()
    return delivery, message


def _member(delivery: CampaignDelivery) -> CampaignMember:
    return db.session.scalar(select(CampaignMember).where(CampaignMember.campaign_id == delivery.campaign_id,
                                                          CampaignMember.contact_id == delivery.contact_id)
                             .execution_options(populate_existing=True))


def _path(url: str) -> str:
    return urlsplit(url).path


def test_opens_and_clicks_move_the_delivery_and_member_forward_only(client: Any, clock: Any) -> None:
    member, message = _campaign_mail()
    sent_at = member.sent_at
    clicked = client.get(_path(click_url(message, 1)))
    assert clicked.status_code == 302 and clicked.headers["Location"] == "https://shop.example/a"
    db.session.refresh(member)
    # A click implies the mail was delivered and opened.
    assert member.status == "clicked"
    assert member.clicked_at == member.opened_at == member.delivered_at == clock.now()
    assert member.sent_at == sent_at

    clock.advance(timedelta(hours=1))
    assert client.get(_path(open_url(message))).status_code == 200
    emit(signals.mail_sent, "mail", messages=[message], env=Env.system())
    db.session.commit()
    db.session.refresh(member)
    assert member.status == "clicked", "an open or a late delivery never moves a clicked member back"
    assert member.opened_at == member.clicked_at

    emit(signals.mail_bounced, "mail", message=message, env=Env.system(), reason="mailbox full")
    db.session.commit()
    db.session.refresh(member)
    assert member.status == "clicked" and member.bounced_at == clock.now()

    assert client.post(_path(unsubscribe_url(message))).status_code == 200
    db.session.refresh(member)
    assert member.status == "unsubscribed" and member.unsubscribed_at == clock.now()
    campaign_member = _member(member)
    assert (campaign_member.status, campaign_member.clicked_at, campaign_member.unsubscribed_at) == \
        ("unsubscribed", member.clicked_at, clock.now())


def test_the_second_message_moves_its_own_delivery_and_the_member_keeps_its_first_moments(client: Any,
                                                                                          clock: Any) -> None:
    first, first_mail = _campaign_mail()
    assert client.get(_path(open_url(first_mail))).status_code == 200
    opened = clock.now()
    clock.advance(timedelta(days=3))
    second, second_mail = _campaign_mail(first.campaign, first.contact)
    assert client.get(_path(click_url(second_mail, 1))).status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, first.clicked_at) == ("opened", None)
    assert (second.status, second.opened_at, second.clicked_at) == ("clicked", clock.now(), clock.now())
    member = _member(second)
    assert (member.status, member.opened_at, member.clicked_at) == ("clicked", opened, clock.now())


def test_an_open_moves_a_sent_delivery_and_other_mail_moves_none(client: Any, clock: Any) -> None:
    member, message = _campaign_mail()
    assert client.get(_path(open_url(message))).status_code == 200
    db.session.refresh(member)
    assert (member.status, member.opened_at, member.clicked_at) == ("opened", clock.now(), None)

    emit(signals.mail_bounced, "mail", message=message, env=Env.system(), reason="gone")
    db.session.commit()
    db.session.refresh(member)
    assert member.status == "opened", "a bounce after an open is recorded, not a step back"

    stranger, unrelated = _other_mail()
    assert client.get(_path(open_url(unrelated))).status_code == 200
    db.session.refresh(stranger)
    assert stranger.status == "sent" and stranger.opened_at is None


def _other_mail() -> tuple[CampaignMember, Any]:
    """A member row of another campaign, and a mail to its contact that is no campaign's."""
    records = Env.system().records
    contact = records.create("contacts", {"first_name": "Nils", "last_name": "Nobody", "email": "nils@example.com"})
    campaign = records.create("campaigns", {"name": "Winter"})
    member = records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": contact.id,
                                                 "status": "sent"})
    message = send_mail(Env.system(), contact.email, subject="Hello", html="<p>Hi</p>",
                        recipient=("contacts", contact.id))
    db.session.commit()
    return member, message
