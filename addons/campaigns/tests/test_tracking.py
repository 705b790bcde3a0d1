"""Mail events of a campaign email move its member row forward, never back: the open
pixel and the tracked link of the kernel (real routes), a bounce and an unsubscribe."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from core.db import db
from core.env import Env
from core.events import emit
from core.mail import signals
from core.mail.outbound import send_mail
from core.mail.tracking import click_url, open_url, unsubscribe_url

from addons.campaigns.models import CampaignMember

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


def _campaign_mail() -> tuple[CampaignMember, Any]:
    """A member marked sent and the campaign email sent to them, as the sender makes it."""
    records = Env.system().records
    contact = records.create("contacts", {"first_name": "Olga", "last_name": "Open", "email": "olga@example.com"})
    campaign = records.create("campaigns", {"name": "Autumn"})
    member = records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": contact.id,
                                                 "status": "sent"})
    message = send_mail(Env.system(), contact.email, subject="Autumn", html='<p><a href="https://shop.example/a">Shop</a></p>',
                        record=("campaign_members", member.id), recipient=("contacts", contact.id),
                        channel="email.marketing", unsubscribe=True)
    db.session.commit()
    return member, message


def _path(url: str) -> str:
    return urlsplit(url).path


def test_opens_and_clicks_move_the_member_forward_only(client: Any, clock: Any) -> None:
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


def test_an_open_moves_a_sent_member_and_other_mail_moves_none(client: Any, clock: Any) -> None:
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
    records = Env.system().records
    contact = records.create("contacts", {"first_name": "Nils", "last_name": "Nobody", "email": "nils@example.com"})
    campaign = records.create("campaigns", {"name": "Winter"})
    member = records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": contact.id,
                                                 "status": "sent"})
    message = send_mail(Env.system(), contact.email, subject="Hello", html="<p>Hi</p>",
                        recipient=("contacts", contact.id))
    db.session.commit()
    return member, message
