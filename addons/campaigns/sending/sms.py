"""A campaign SMS for one delivery: rendered from the message's `sms_text`, sent to the
contact's mobile (else phone) through the kernel (core.sms), never inside the contact's
quiet hours.

Consent: the contact's `consent_sms` must be ticked, and the number's consent on the SMS
twin of the campaign's topic must not be withdrawn: `email.marketing.news` is honoured
as `sms.marketing.news` (a topic already on `sms` is kept), so a STOP reply (which
withdraws `sms`) blocks every campaign SMS. The frequency cap counts SMS apart from email.

Quiet hours (settings `campaigns_sms_quiet_start` and `campaigns_sms_quiet_end`, "HH:MM"
in the contact's timezone, `contact_zone`; empty: none): a delivery whose local time falls
inside them is held back (`CampaignDelivery.not_before`) until they end, and the sending
job waits for the earliest such moment.

A delivery report from the provider moves the delivery (and the member) to `delivered`.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any, Mapping

from jinja2 import TemplateError

from core.declarations import EventHandler
from core.env import Env
from core.platform import platform
from core.records.errors import ValidationFailed
from core.sms import signals
from core.sms.outbound import e164, send_sms
from core.templating import RecordView, render_user_template
from core.templating.limits import template_limits

from addons.campaigns.models import CampaignDelivery, CampaignMessage
from addons.campaigns.sending.rules import cap_reason
from addons.campaigns.tracking import DELIVERY_MODEL, advance_delivery, delivery_of
from addons.contacts.models import Contact
from addons.contacts.timezones import contact_zone

__all__ = ["sms_topic", "render_sms", "quiet_hours_end", "hand_off_sms", "sms_delivery_handlers", "OPT_OUT"]

#: Appended to a text that does not tell the reader how to opt out.
OPT_OUT = "Reply STOP to opt out"


def sms_topic(topic: str) -> str:
    """The consent channel a campaign SMS honours: `email.marketing.x` -> `sms.marketing.x`."""
    channel, _dot, rest = topic.partition(".")
    return topic if channel == "sms" else f"sms.{rest}" if rest else "sms"


def render_sms(env: Env, message: CampaignMessage, contact: Contact, extra: Mapping[str, Any] | None = None) -> str:
    """The message's text for `contact` as `env`'s user (an unknown field renders as
    nothing), with OPT_OUT appended unless it mentions STOP. ValidationFailed names
    `sms_text` when the template fails. `extra`: more names for the template, as for
    `render_email`."""
    view = RecordView(env, "contacts", contact)
    context = {**(extra or {}), "contact": view, "account": view.account, "campaign": {"name": message.campaign.name}}
    try:
        text = render_user_template(message.sms_text or "", context, html=False, limits=template_limits(),
                                    strict=False).strip()
    except TemplateError as error:
        raise ValidationFailed({"sms_text": [f"the template does not render: {error}"]}) from None
    return text if "STOP" in text else f"{text}\n{OPT_OUT}"


def _setting_time(name: str) -> time | None:
    value = str(platform().settings[name] or "").strip()
    return time.fromisoformat(value) if value else None


def quiet_hours_end(zone: tzinfo, now: datetime) -> datetime | None:
    """When the quiet hours `now` falls in (in `zone`) end, in UTC; None outside them."""
    start, end = _setting_time("campaigns_sms_quiet_start"), _setting_time("campaigns_sms_quiet_end")
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    if start < end:  # quiet within one day, such as 12:00-14:00
        inside, day = start <= moment < end, local.date()
    else:  # quiet across midnight, such as 21:00-08:00
        inside = moment >= start or moment < end
        day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=zone).astimezone(timezone.utc)


def hand_off_sms(env: Env, message: CampaignMessage, delivery: CampaignDelivery, contact: Contact,
                 capped: set[int], now: datetime, extra: Mapping[str, Any] | None = None) -> str | datetime | None:
    """Queue the delivery's SMS: None when queued, the moment to try again when the contact
    is in their quiet hours, else why it was not sent. `extra`: more template names."""
    number = e164(contact.mobile or "", contact.country) or e164(contact.phone or "", contact.country)
    if number is None:
        return "no mobile or phone number"
    if not contact.consent_sms:
        return "no SMS consent on the contact"
    if contact.id in capped:
        return cap_reason()
    quiet_end = quiet_hours_end(contact_zone(contact), now)
    if quiet_end is not None:
        return quiet_end
    try:
        text = render_sms(env, message, contact, extra)
    except ValidationFailed as error:
        return f"the template does not render: {error.errors}"
    sms = send_sms(env, number, text, channel=sms_topic(message.campaign.topic), record=(DELIVERY_MODEL, delivery.id),
                   recipient=("contacts", contact.id))
    return (sms.error or "consent withdrawn or suppressed") if sms.status == "suppressed" else None


def _delivered(_sender: str, message: Any, env: Env, **_kw: Any) -> None:
    delivery = delivery_of(message)
    if delivery is not None:
        advance_delivery(env.sudo(), delivery, "delivered", message.delivered_at or env.now())


def _failed(_sender: str, message: Any, env: Env, **_kw: Any) -> None:
    delivery = delivery_of(message)
    if delivery is not None:
        advance_delivery(env.sudo(), delivery, "bounced", message.updated_at or env.now())


def sms_delivery_handlers() -> list[EventHandler]:
    """A campaign SMS reported delivered moves its delivery to `delivered`; one that failed
    for good (refused, or undelivered by the network) counts as a bounce."""
    return [EventHandler(signals.sms_delivered, _delivered, sender="sms"),
            EventHandler(signals.sms_failed, _failed, sender="sms")]
