"""Which rescue message an order followed: the latest one sent to the buyer about one of
their carts of the shop, within the shop's attribution window before the order, by a
journey's step or by hand from the cart's page. The order is then recovered by that step
(none for a message sent by hand) and its campaign, and the cart it rescued is
recovered at the order's time. The campaign's own attribution hears the order as a
conversion (`orders.created`, declared in `conversions`)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.db import db

from addons.campaigns.models import CampaignDelivery, CampaignMessage, JourneyMember, JourneyStep, JourneyStepRun
from addons.cart_rescue.models import Cart, Shop
from addons.cart_rescue.rescue.subjects import cart_of, cart_subject

__all__ = ["attribute_order"]

_RESCUABLE = ("abandoned", "lost", "open", "checkout")


def _latest_step(contact_id: int, subjects: list[str], since: datetime, until: datetime) -> Any:
    """(ran at, step id, step config, subject) of the latest journey step that sent a
    message about one of `subjects`."""
    return db.session.execute(
        select(JourneyStepRun.ran_at, JourneyStepRun.step_id, JourneyStep.config, JourneyMember.subject)
        .join(JourneyMember, JourneyMember.id == JourneyStepRun.member_id)
        .join(JourneyStep, JourneyStep.id == JourneyStepRun.step_id)
        .where(JourneyMember.contact_id == contact_id, JourneyMember.subject.in_(subjects),
               JourneyStep.kind == "send", JourneyStepRun.outcome == "sent",
               JourneyStepRun.ran_at >= since, JourneyStepRun.ran_at <= until)
        .order_by(JourneyStepRun.ran_at.desc(), JourneyStepRun.id.desc()).limit(1)).first()


def _latest_delivery(contact_id: int, subjects: list[str], since: datetime, until: datetime) -> Any:
    """(sent at, campaign id, subject) of the latest message sent about one of `subjects`,
    by a journey or by hand (every send has its delivery)."""
    return db.session.execute(
        select(CampaignDelivery.sent_at, CampaignDelivery.campaign_id, CampaignDelivery.subject)
        .where(CampaignDelivery.contact_id == contact_id, CampaignDelivery.subject.in_(subjects),
               CampaignDelivery.sent_at >= since,
               CampaignDelivery.sent_at <= until)
        .order_by(CampaignDelivery.sent_at.desc(), CampaignDelivery.id.desc()).limit(1)).first()


def _latest_rescue(contact_id: int, subjects: list[str], since: datetime, until: datetime) -> Any:
    """(step id or None, campaign id, subject) of the latest rescue message: a journey's
    step, unless a message sent by hand came after it."""
    step = _latest_step(contact_id, subjects, since, until)
    delivery = _latest_delivery(contact_id, subjects, since, until)
    if step is not None and (delivery is None or step.ran_at >= delivery.sent_at):
        message = db.session.get(CampaignMessage, int((step.config or {}).get("message_id") or 0))
        return step.step_id, message.campaign_id if message is not None else None, step.subject
    if delivery is not None:
        return None, delivery.campaign_id, delivery.subject
    return None


def attribute_order(shop: Shop, order: Any, cart: Cart | None, at: datetime) -> bool:
    """Credit the order to the rescue message it followed, if any; whether it was."""
    if order.contact_id is None:
        return False
    carts = db.session.scalars(select(Cart.id).where(Cart.shop_id == shop.id, Cart.contact_id == order.contact_id,
                                                     Cart.status.in_(_RESCUABLE))).all()
    subjects = [cart_subject(cart_id) for cart_id in {*carts, *([cart.id] if cart is not None else [])}]
    found = _latest_rescue(order.contact_id, subjects, at - timedelta(days=shop.attribution_days), at) \
        if subjects else None
    if found is None:
        return False
    step_id, campaign_id, subject = found
    order.rescue_step_id, order.rescue_campaign_id = step_id, campaign_id
    rescued = cart_of(subject)
    if rescued is not None:
        rescued.status, rescued.recovered_at, rescued.updated_at = "recovered", at, at
    db.session.flush()
    return True
