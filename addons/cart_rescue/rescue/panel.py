"""The Rescue panel of a cart's page: where its rescue stands, each step run (sent, or
skipped and why), the messages sent by hand, the coupons it gave and the order it
recovered; and the form that sends a chosen message now."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template

from core.db import db
from core.declarations import DetailPanel
from core.env import Env
from core.web.rendering import user_zone

from addons.campaigns.models import CampaignMessage, JourneyMember, JourneyStep, JourneyStepRun
from addons.campaigns.models.choices import DELIVERY_STATUSES
from addons.cart_rescue.metrics import RESCUED
from addons.cart_rescue.models import Cart, CartCoupon, Order
from addons.cart_rescue.rescue.by_hand import messages_to_choose, sent_by_hand
from addons.cart_rescue.rescue.steps import message_label
from addons.cart_rescue.rescue.subjects import cart_subject, why_gone

__all__ = ["rescue_panels", "StepLine"]

@dataclass(frozen=True)
class StepLine:
    """One step run of the cart's rescue, as the panel lists it."""

    position: int
    kind: str
    message_id: int | None
    message: str | None
    outcome: str
    ran_at: datetime


def _step_lines(env: Env, cart: Cart) -> list[StepLine]:
    members = env.records.subquery("journey_members", [["subject", "=", cart_subject(cart.id)]])
    runs = (env.records.select("journey_step_runs")
            .join(members, members.c.id == JourneyStepRun.member_id)
            .join(JourneyStep, JourneyStep.id == JourneyStepRun.step_id)
            .with_only_columns(JourneyStep.position, JourneyStep.kind, JourneyStep.config, JourneyStepRun.outcome,
                               JourneyStepRun.ran_at)
            .order_by(JourneyStepRun.ran_at, JourneyStepRun.id))
    lines = []
    for position, kind, config, outcome, ran_at in db.session.execute(runs).all():
        message = db.session.get(CampaignMessage, int(config["message_id"])) \
            if kind == "send" and (config or {}).get("message_id") else None
        label = message_label(message) if message is not None else None
        lines.append(StepLine(position, kind, message.id if message is not None else None, label, outcome, ran_at))
    return lines


def _render(env: Env, cart: Cart) -> str:
    member = db.session.scalar(env.records.select("journey_members", [["subject", "=", cart_subject(cart.id)]])
                               .order_by(JourneyMember.id).limit(1))
    coupons = db.session.scalars(env.records.select("cart_coupons", [["cart_id", "=", cart.id]])
                                 .order_by(CartCoupon.id)).all()
    recovering = db.session.scalar(
        env.records.select("orders", [["contact_id", "=", cart.contact_id], RESCUED,
                                      ["placed_at", "=", cart.recovered_at]]).order_by(Order.id).limit(1)) \
        if cart.recovered_at is not None and cart.contact_id is not None else None
    steps = _step_lines(env, cart)
    by_hand = sent_by_hand(env, cart, {line.message_id for line in steps if line.message_id is not None})
    sendable = cart.contact_id is not None and why_gone(cart_subject(cart.id), env.now()) is None \
        and env.records.allows("carts", cart.id, "update")
    return render_template("cart_rescue/rescue_panel.html", cart=cart, member=member, steps=steps, by_hand=by_hand,
                           choices=messages_to_choose(env) if sendable else [], coupons=coupons, order=recovering,
                           zone=user_zone(env), label=message_label, statuses=dict(DELIVERY_STATUSES))


def rescue_panels() -> list[DetailPanel]:
    """A cart's rescue, on its page."""
    return [DetailPanel("cart_rescue.rescue", "Rescue", lambda resource: resource == "carts", _render, position=20)]
