"""One campaign message to one contact, outside a whole send: a journey's send step, or a
message sent by hand (a cart rescued from its page). The contact's delivery row (made if
absent: a contact gets a message once per subject) carries it, with consent, the
frequency cap, quiet hours, the throttle and a paused campaign honoured as for any send.
Nothing here commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from core.env import Env
from core.mail.outbound import send_mail
from core.records.errors import ValidationFailed

from addons.campaigns.models import CampaignDelivery, CampaignMessage
from addons.campaigns.sending.recipients import delivery_for
from addons.campaigns.sending.render import render_email
from addons.campaigns.sending.rules import cap_reason, over_cap, throttle_budget
from addons.campaigns.sending.sms import hand_off_sms
from addons.campaigns.tracking import DELIVERY_MODEL, members_sent, members_skipped
from addons.contacts.models import Contact

__all__ = ["SendOutcome", "send_one", "HOLD"]

#: How long a send waits when its campaign is paused before it is tried again.
HOLD = timedelta(minutes=15)


@dataclass(frozen=True)
class SendOutcome:
    """What became of the message: `status` "sent" (`mail_id` the email's outbox row, None
    for an SMS), "skipped" (`reason` why not, kept on the delivery) or "held" (nothing
    written: try again at `hold_until`, `reason` why)."""

    status: str
    reason: str | None = None
    mail_id: int | None = None
    hold_until: datetime | None = None


def send_one(env: Env, message: CampaignMessage, contact: Contact, now: datetime, *, subject: str = "",
             extra: Mapping[str, Any] | None = None) -> SendOutcome:
    """Send `message` (email or SMS) to `contact` about `subject`, rendered with `extra`
    template names besides the contact's, as `env`'s user sees the contact."""
    if message.channel not in ("email", "sms"):
        return SendOutcome("skipped", f"{message.channel} messages are not sent to one contact")
    if message.campaign.status == "paused":
        return SendOutcome("held", "the campaign is paused", hold_until=now + HOLD)
    budget = throttle_budget(message.channel, now)
    if budget.remaining <= 0:
        return SendOutcome("held", "the throttle is spent", hold_until=budget.free_at or now + timedelta(seconds=5))
    delivery = delivery_for(message, contact.id, now, subject)
    if delivery.status not in ("pending", "skipped"):
        return SendOutcome("skipped", "the contact already has this message")
    if message.channel == "sms":
        outcome = hand_off_sms(env, message, delivery, contact, over_cap([contact.id], "sms", now), now, extra)
        if isinstance(outcome, datetime):  # the contact's quiet hours
            return SendOutcome("held", "quiet hours", hold_until=outcome)
        reason, mail_id = outcome, None
    else:
        reason, mail_id = _hand_over_email(env, message, delivery, contact, now, extra or {})
    if reason is not None:
        delivery.status, delivery.skip_reason, delivery.updated_at = "skipped", reason[:300], now
        members_skipped(message.campaign_id, [contact.id], now)
        return SendOutcome("skipped", reason)
    delivery.status, delivery.sent_at, delivery.skip_reason, delivery.updated_at = "sent", now, None, now
    members_sent(message.campaign_id, [contact.id], now)
    return SendOutcome("sent", mail_id=mail_id)


def _hand_over_email(env: Env, message: CampaignMessage, delivery: CampaignDelivery, contact: Contact,
                     now: datetime, extra: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """Queue the email in the kernel outbox: (None, mail id), or (why not, None). `env`'s
    user's eyes render it; the platform's log it against the delivery."""
    if not contact.email:
        return "no email address", None
    if contact.id in over_cap([contact.id], "email", now):
        return cap_reason(), None
    try:
        rendered = render_email(env, message, contact, extra=dict(extra))
    except ValidationFailed as error:
        return f"the template does not render: {error.errors}", None
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part) or None
    mail = send_mail(env.sudo(), contact.email, subject="{{ values.subject }}", html="{{ values.html }}",
                     values={"subject": rendered.subject, "html": rendered.html},
                     record=(DELIVERY_MODEL, delivery.id), recipient=("contacts", contact.id), to_name=name,
                     channel=message.campaign.topic, unsubscribe=True)
    if mail.status == "suppressed":
        return mail.error or "consent withdrawn or suppressed", None
    return None, mail.id
