"""A cart rescued by hand from its page: a campaign message (email or SMS) chosen in the
Rescue panel is sent now to the cart's contact, about the cart (`cart`, `restore_url` and
`coupon` in its template), with consent, the frequency cap and quiet hours honoured as
for any send (`addons.campaigns.sending.single`). An order that follows within the
shop's attribution window is credited to it as to a journey's message."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.env import Env
from core.records.errors import RecordError, ValidationFailed
from core.web.security import login_required, web_env

from addons.campaigns.models import Campaign, CampaignDelivery, CampaignMessage
from addons.campaigns.sending.single import SendOutcome, send_one
from addons.cart_rescue.models import Cart
from addons.cart_rescue.rescue.subjects import cart_subject, cart_values, why_gone

__all__ = ["blueprint", "rescue_by_hand", "messages_to_choose", "sent_by_hand", "CHANNELS"]

blueprint = Blueprint("cart_rescue_by_hand", __name__, url_prefix="/shop",
                      template_folder=str(Path(__file__).resolve().parents[1] / "templates"))

#: The channels a message sent by hand may have.
CHANNELS = ("email", "sms")


def messages_to_choose(env: Env) -> list[Any]:
    """The email and SMS messages `env`'s user may send from a cart's page: those of
    campaigns not done, newest campaign first."""
    if not env.policy.can("campaign_messages", "read"):
        return []
    statement = (env.records.select("campaign_messages", [["channel", "in", list(CHANNELS)]])
                 .join(Campaign, Campaign.id == CampaignMessage.campaign_id).where(Campaign.status != "done")
                 .order_by(Campaign.id.desc(), CampaignMessage.id).limit(200))
    return list(db.session.scalars(statement))


def rescue_by_hand(env: Env, cart_id: int, message_id: int) -> SendOutcome:
    """Send message `message_id` now to the contact of cart `cart_id` about the cart, as
    `env`'s user (who must be allowed to update the cart and read the message). RecordError
    when they may not, or when the cart has no contact or was bought or emptied."""
    cart: Cart = env.records.get("carts", cart_id, operation="update")
    message: CampaignMessage = env.records.get("campaign_messages", message_id)
    if message.channel not in CHANNELS:
        raise ValidationFailed({"message_id": ["Choose an email or an SMS message."]})
    if cart.contact_id is None:
        raise ValidationFailed({"message_id": ["The cart has no contact yet: the shop has not told its email."]})
    subject = cart_subject(cart.id)
    now = env.now()
    gone = why_gone(subject, now)
    if gone is not None:
        raise ValidationFailed({"message_id": [f"Not sent: {gone}."]})
    contact = env.records.get("contacts", cart.contact_id)
    return send_one(env, message, contact, now, subject=subject, extra=cart_values(subject, None, now))


@blueprint.post("/carts/<int:cart_id>/rescue")
@login_required
def send_by_hand(cart_id: int) -> Response:
    """The Rescue panel's form: send the chosen message now, then back to the cart."""
    env = web_env()
    back = f"/m/carts/{cart_id}"
    try:
        sent = rescue_by_hand(env, cart_id, request.form.get("message_id", type=int) or 0)
    except RecordError as problem:
        db.session.rollback()
        detail = problem.reason
        flash(gettext("Nothing sent: %(reason)s", reason=detail), "error")
        return redirect(back, code=303)
    db.session.commit()
    if sent.status == "sent":
        flash(gettext("Sent: the message is on its way to the cart's contact."), "success")
    elif sent.status == "held":
        when = sent.hold_until.strftime("%Y-%m-%d %H:%M UTC") if sent.hold_until else ""
        flash(gettext("Not sent now (%(reason)s): try again after %(when)s.", reason=sent.reason, when=when), "error")
    else:
        flash(gettext("Not sent: %(reason)s.", reason=sent.reason), "error")
    return redirect(back, code=303)


def sent_by_hand(env: Env, cart: Cart, journey_message_ids: set[int]) -> list[Any]:
    """The deliveries about the cart of messages no journey step sent it: those sent by
    hand, oldest first, as (message, delivery) pairs."""
    deliveries = env.records.select("campaign_deliveries", [["subject", "=", cart_subject(cart.id)]]) \
        if env.policy.can("campaign_deliveries", "read") else None
    if deliveries is None:
        return []
    rows = db.session.execute(deliveries.join(CampaignMessage, CampaignMessage.id == CampaignDelivery.message_id)
                              .with_only_columns(CampaignMessage, CampaignDelivery)
                              .where(CampaignDelivery.status.not_in(("pending", "held")))
                              .order_by(CampaignDelivery.updated_at, CampaignDelivery.id)).all()
    return [(message, delivery) for message, delivery in rows if message.id not in journey_message_ids]
