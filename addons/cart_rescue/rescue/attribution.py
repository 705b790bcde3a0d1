"""Which rescue message an order followed: the latest one sent to the buyer about one of
their carts of the shop, within the shop's attribution window before the order. The
order is then recovered by that step (and its campaign), and the cart it rescued is
recovered at the order's time. The campaign's own attribution hears the order as a
conversion (`orders.created`, declared in `conversions`)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.db import db

from addons.campaigns.models import CampaignMessage, JourneyMember, JourneyStep, JourneyStepRun
from addons.cart_rescue.models import Cart, Shop
from addons.cart_rescue.rescue.subjects import cart_of, cart_subject

__all__ = ["attribute_order"]

_RESCUABLE = ("abandoned", "lost", "open", "checkout")


def _latest_rescue(contact_id: int, subjects: list[str], since: datetime, until: datetime) -> Any:
    """(step id, message id, subject) of the latest message sent about one of `subjects`."""
    return db.session.execute(
        select(JourneyStepRun.step_id, JourneyStep.config, JourneyMember.subject)
        .join(JourneyMember, JourneyMember.id == JourneyStepRun.member_id)
        .join(JourneyStep, JourneyStep.id == JourneyStepRun.step_id)
        .where(JourneyMember.contact_id == contact_id, JourneyMember.subject.in_(subjects),
               JourneyStep.kind == "send", JourneyStepRun.outcome == "sent",
               JourneyStepRun.ran_at >= since, JourneyStepRun.ran_at <= until)
        .order_by(JourneyStepRun.ran_at.desc(), JourneyStepRun.id.desc()).limit(1)).first()


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
    step_id, config, subject = found
    message = db.session.get(CampaignMessage, int((config or {}).get("message_id") or 0))
    order.rescue_step_id = step_id
    order.rescue_campaign_id = message.campaign_id if message is not None else None
    rescued = cart_of(subject)
    if rescued is not None:
        rescued.status, rescued.recovered_at, rescued.updated_at = "recovered", at, at
    db.session.flush()
    return True
