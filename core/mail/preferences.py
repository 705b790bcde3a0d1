"""The preference page behind every unsubscribe link: the reader of a message chooses,
topic by topic, what they still receive at that address.

The page is reached with the message's unsubscribe token (no sign-in: the link is the
key, as for the one-click unsubscribe) and shows the address masked. Its topics are the
consent channels addons declare (`register_consent_topics`) and those the address has
received unsubscribable mail on; personal mail and service messages are not listed, as
they carry no unsubscribe link. Unticking a topic withdraws its consent (which also stops
its narrower topics); ticking it again grants it, as an opt-in the reader made here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, make_response, render_template, request
from flask_babel import gettext
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.events import emit
from core.mail import signals
from core.mail.consent import BLOCKING, channel_and_parents, normalize, record_consent
from core.mail.models import Consent, MailMessage
from core.mail.tokens import token_message
from core.mail.tracking import masked, tracking
from core.platform import platform
from core.write_lock import will_write

__all__ = ["TopicChoice", "topic_choices"]


@dataclass(frozen=True)
class TopicChoice:
    """One line of the page: a topic, whether the address still receives it, and the
    broader topic that stops it when that one is withdrawn."""

    channel: str
    label: str
    description: str
    receives: bool
    stopped_by: str | None


def topic_choices(address: str) -> list[TopicChoice]:
    """The topics `address` may choose among, broadest first, with its consent on each."""
    declared = {topic.channel: topic for topic in platform().consent_topics}
    address = normalize(address)
    received = db.session.scalars(select(MailMessage.channel).where(
        MailMessage.to_address == address, MailMessage.unsubscribe.is_(True)).distinct())
    states = {consent.channel: consent.state
              for consent in db.session.scalars(select(Consent).where(Consent.address == address))}
    channels = set(declared) | set(received) | {channel for channel in states if _under_a_topic(channel, declared)}
    choices = []
    for channel in sorted(channels, key=lambda name: (name.count("."), name)):
        topic = declared.get(channel)
        blocked_by = next((broader for broader in channel_and_parents(channel) if states.get(broader) in BLOCKING),
                          None)
        choices.append(TopicChoice(channel, topic.label if topic else _label_of(channel),
                                   topic.description if topic else "", blocked_by is None,
                                   blocked_by if blocked_by not in (None, channel) else None))
    return choices


def _under_a_topic(channel: str, declared: dict[str, object]) -> bool:
    return any(parent in declared for parent in channel_and_parents(channel))


def _label_of(channel: str) -> str:
    """"email.marketing.spring_sale" -> "Spring sale"."""
    last = channel.rsplit(".", 1)[-1].replace("_", " ").replace("-", " ")
    return last[:1].upper() + last[1:]


@tracking.route("/p/<token>", methods=["GET", "POST"])
def preferences(token: str) -> Response:
    """GET shows the topics with a tick for each still received; POST saves the ticks."""
    found = token_message("unsubscribe", token)
    if found is None or not found[0].unsubscribe:
        abort(404)
    message = found[0]
    saved = False
    if request.method == "POST":
        will_write()
        wanted = set(request.form.getlist("topic"))
        for choice in topic_choices(message.to_address):
            if choice.stopped_by is not None or (choice.channel in wanted) == choice.receives:
                continue  # unchanged, or stopped by a broader topic the reader must tick first
            state = "granted" if choice.channel in wanted else "withdrawn"
            record_consent(message.to_address, choice.channel, state, reason="preference page",
                           source="preferences", message_id=message.id)
            if state == "withdrawn":
                emit(signals.mail_unsubscribed, "mail", message=message, env=Env.system(), channel=choice.channel)
        db.session.commit()
        saved = True
    page = render_template("mail/preferences.html", address=masked(message.to_address), saved=saved,
                           choices=topic_choices(message.to_address), title=gettext("Your email preferences"))
    response = make_response(page)
    # The token in the address is a key to this page: keep it out of caches and Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
