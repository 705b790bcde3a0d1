"""The demo's rescue journey, "Cart rescue — Maison Verde": an email an hour after a cart
is abandoned, one with a coupon at 24 h, an SMS at 72 h. Its campaign, messages, journey
and steps are shipped demo data; once the addon is installed with demo data, each
abandoned demo cart gets its member and the step runs its history implies (a recovered
cart's next step skipped because the cart was bought), and the journey is activated."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.addons.data import resolve_xid
from core.addons.state import InstalledAddon
from core.db import db
from core.declarations import DataRecord, EventHandler, Ref
from core.env import Env

from addons.campaigns.models import JourneyMember, JourneyStepRun
from addons.cart_rescue.models import Cart
from addons.cart_rescue.rescue.subjects import cart_subject

__all__ = ["rescue_journey_records", "step_xid", "step_for", "populate_rescue_journey", "rescue_demo_handlers",
           "JOURNEY", "CAMPAIGN", "SENDS"]

JOURNEY = "cart_rescue.demo_rescue_journey"
CAMPAIGN = "cart_rescue.demo_rescue_campaign"
#: The send steps: (position, hours after abandonment, message key).
SENDS = ((1, 0, "reminder"), (3, 23, "coupon"), (5, 71, "sms"))
_MESSAGES = {
    "reminder": {"channel": "email", "subject": "You left {{ cart.value_text }} in your cart",
                 "body": "<p>Hello {{ contact.first_name or 'there' }},</p><p>Your {{ cart.item_count }} items are "
                         "still waiting at {{ cart.shop_name }}.</p>"
                         '<p><a href="{{ restore_url }}">Back to your cart</a></p>'},
    "coupon": {"channel": "email", "subject": "10% off the cart you left",
               "body": "<p>Hello {{ contact.first_name or 'there' }},</p><p>Use <strong>{{ coupon }}</strong> for "
                       "10% off {{ cart.value_text }}, valid for a week.</p>"
                       '<p><a href="{{ restore_url }}">Finish your order</a></p>'},
    "sms": {"channel": "sms", "sms_text": "{{ cart.shop_name }}: your cart of {{ cart.value_text }} is still "
                                          "waiting. {{ restore_url }}"},
}
_STEPS = ((1, "send", {"message_id": "reminder"}, 2), (2, "wait", {"hours": 23}, 3),
          (3, "send", {"message_id": "coupon"}, 4), (4, "wait", {"hours": 48}, 5),
          (5, "send", {"message_id": "sms"}, 6), (6, "exit", {}, None))


def step_xid(position: int) -> str:
    """The external id of the demo journey's step at `position`."""
    return f"{JOURNEY}_step_{position}"


def step_for(hours_to_order: float) -> int:
    """The send step an order this many hours after abandonment followed."""
    return max(position for position, after, _key in SENDS if after <= hours_to_order)


def rescue_journey_records(shop: str) -> list[DataRecord]:
    """The campaign, its three messages, the journey (draft until its members are written)
    and its steps, last first so that each step names steps that already exist."""
    campaign = {"name": "Cart rescue — Maison Verde", "topic": "email.marketing.offers",
                "goal": "Win abandoned carts back.", "channel_email": True, "channel_sms": True}
    records = [DataRecord(CAMPAIGN, "campaigns", {**campaign, "status": "draft"}),
               DataRecord(CAMPAIGN, "campaigns", {**campaign, "status": "running"}),
               *[DataRecord(f"{CAMPAIGN}_{key}", "campaign_messages", {"campaign_id": Ref(CAMPAIGN), **values})
                 for key, values in _MESSAGES.items()],
               DataRecord(JOURNEY, "journeys", {"name": "Cart rescue — Maison Verde", "entry_kind": "event",
                                                "entry_event": "shop.cart_abandoned", "status": "draft",
                                                "campaign_id": Ref(CAMPAIGN)}, noupdate=True)]
    for position, kind, config, then in reversed(_STEPS):
        values: dict[str, Any] = {"journey_id": Ref(JOURNEY), "position": position, "kind": kind,
                                  "config": {key: Ref(f"{CAMPAIGN}_{value}") if key == "message_id" else value
                                             for key, value in config.items()}}
        if then is not None:
            values["next_step_id"] = Ref(step_xid(then))
        records.append(DataRecord(step_xid(position), "journey_steps", values))
    records.append(DataRecord(shop, "shops", {"rescue_journey_id": Ref(JOURNEY)}))
    return records


def _history(member: JourneyMember, steps: dict[int, int], cart: Cart, now: datetime) -> None:
    """The runs of the member's steps up to now, or up to the order that recovered the cart."""
    abandoned = cart.abandoned_at
    ended = cart.recovered_at or now
    for index, (position, after, _key) in enumerate(SENDS):
        at = abandoned + timedelta(hours=after)
        if at > ended:
            if cart.recovered_at is not None:
                member.status, member.current_step_id = "exited", steps[position]
                _run(member, steps[position], "skipped: the cart was bought", cart.recovered_at)
            else:
                member.status, member.current_step_id, member.next_run_at = "waiting", steps[position], at
            return
        _run(member, steps[position], "sent", at)
        if index + 1 < len(SENDS):
            until = abandoned + timedelta(hours=SENDS[index + 1][1])
            _run(member, steps[position + 1], f"waits until {until.isoformat(timespec='minutes')}", at)
    member.status, member.current_step_id = "done", None
    _run(member, steps[6], "exited", abandoned + timedelta(hours=SENDS[-1][1]))


def _run(member: JourneyMember, step_id: int, outcome: str, at: datetime) -> None:
    db.session.add(JourneyStepRun(member_id=member.id, step_id=step_id, outcome=outcome, ran_at=at, created_at=at,
                                  updated_at=at, version=1))


def populate_rescue_journey(env: Env) -> int:
    """Each abandoned, lost or recovered demo cart's member of the rescue journey, with its
    history; then the journey is activated. Returns how many members were written."""
    system = env.sudo()
    journey_id = resolve_xid(JOURNEY).record_id
    steps = {position: resolve_xid(step_xid(position)).record_id for position, *_ in _STEPS}
    now = env.now()
    carts = db.session.scalars(select(Cart).where(Cart.status.in_(("abandoned", "lost", "recovered")),
                                                  Cart.contact_id.is_not(None), Cart.abandoned_at.is_not(None))
                               .order_by(Cart.id)).all()
    written = 0
    for cart in carts:
        if db.session.scalar(select(JourneyMember.id).where(JourneyMember.journey_id == journey_id,
                                                            JourneyMember.subject == cart_subject(cart.id))):
            continue
        member = JourneyMember(journey_id=journey_id, contact_id=cart.contact_id, subject=cart_subject(cart.id),
                               status="active", created_at=cart.abandoned_at, updated_at=cart.abandoned_at, version=1)
        db.session.add(member)
        db.session.flush()
        _history(member, steps, cart, now)
        written += 1
    db.session.flush()
    system.records.update("journeys", journey_id, {"status": "active"})
    return written


def _on_installed(sender: str, env: Env, **_kw: Any) -> None:
    if sender != "cart_rescue":
        return
    if db.session.scalar(select(InstalledAddon.demo).where(InstalledAddon.name == "cart_rescue")):
        populate_rescue_journey(env)


def rescue_demo_handlers() -> list[EventHandler]:
    """Write the demo rescue journey's members once cart_rescue is installed with demo data."""
    from core import signals

    return [EventHandler(signals.addon_installed, _on_installed)]
