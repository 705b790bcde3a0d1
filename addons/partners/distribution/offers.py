"""Offering a lead to partners, and their answers.

A lead is offered to one partner at a time, chosen by the weighted round robin among the
partners that cover it (`eligibility`, `fairness`), and mailed to it, with `OFFER_SLA` of
business time to answer on the offer calendar. A declined or timed-out offer passes the
lead to the next partner; after `MAX_REFUSALS` refusals, or when no partner is left, the
lead goes back to the internal team (the sales assignment rules, if it has no owner). Every offer and
answer is a `lead_offers` row, so the distribution's memory is the table itself.
"""
from __future__ import annotations

from datetime import timedelta

from core.business_time import Calendar, add_business_time
from core.env import Env
from core.records.errors import AccessDenied, ValidationFailed

from addons.partners.distribution.eligibility import candidates
from addons.partners.distribution.fairness import pick
from addons.partners.mail import mail_partner
from addons.partners.models import LeadOffer
from addons.partners.models.choices import OPEN_OFFER
from addons.partners.registrations.submission import partner_of
from addons.sales.assignment import assign_lead
from addons.sales.models import Lead

__all__ = ["offer_lead", "accept", "decline", "offer_calendar", "OFFER_SLA", "MAX_REFUSALS", "FAIRNESS_WINDOW"]

#: Business time a partner has to answer an offer.
OFFER_SLA = timedelta(hours=48)
#: Refusals (declined or timed out) after which a lead goes back to the internal team.
MAX_REFUSALS = 3
#: How far back past offers count in the round robin's turns.
FAIRNESS_WINDOW = timedelta(days=365)
_WEEKDAYS = [(day, "00:00", "24:00") for day in range(5)]


def offer_calendar(env: Env) -> Calendar:
    """Business time of offers: Monday to Friday, whole days, in the company's timezone
    (setting `timezone`), so 48 business hours are two working days and a weekend stops
    the clock."""
    return Calendar.build(str(env.platform.settings["timezone"]), _WEEKDAYS)


def _refusals(env: Env, lead_id: int) -> int:
    return env.sudo().records.count("lead_offers", [["lead_id", "=", lead_id],
                                                    ["status", "in", ["declined", "expired"]]]).value


def _back_to_internal(env: Env, lead: Lead) -> None:
    if lead.owner_id is None:
        assign_lead(env, lead)


def offer_lead(env: Env, lead: Lead) -> LeadOffer | None:
    """Offer `lead` to the next partner; None when it went back to the internal team."""
    system = env.sudo()
    waiting = system.records.count("lead_offers", [["lead_id", "=", lead.id], ["status", "=", OPEN_OFFER]]).value
    if lead.partner_id is not None or waiting:
        raise ValidationFailed({"partner_id": ["This lead is with a partner already, or waits for a partner's "
                                               "answer."]})
    now, refusals = env.now(), _refusals(env, lead.id)
    chosen = pick(candidates(env, lead, now - FAIRNESS_WINDOW)) if refusals < MAX_REFUSALS else None
    if chosen is None:
        _back_to_internal(system, lead)
        return None
    offer = system.records.create("lead_offers", {
        "lead_id": lead.id, "partner_id": chosen.partner_id, "offered_at": now, "attempt": refusals + 1,
        "due_at": add_business_time(offer_calendar(env), now, OFFER_SLA)})
    mail_partner(system, offer.partner, f"New lead offered: {lead.display_name}",
                 f"A lead is offered to you: {lead.display_name}. Accept or decline it in the partner portal "
                 f"before {offer.due_at:%Y-%m-%d %H:%M} UTC; after that it goes to another partner.",
                 ("lead_offers", offer.id))
    return offer


def _open_offer(env: Env, offer_id: int) -> LeadOffer:
    """The offer, if the acting partner user's organisation holds it and may still answer."""
    partner_id = partner_of(env)
    offer = env.records.get("lead_offers", offer_id)  # another partner's offer is a 404
    if offer.partner_id != partner_id:
        raise AccessDenied("this offer is for another partner")
    if offer.status != OPEN_OFFER:
        raise ValidationFailed({"status": [f"This offer is {offer.status} already."]})
    if env.now() >= offer.due_at:
        raise ValidationFailed({"status": ["The time to answer this offer is over: it went to the next partner."]})
    return offer


def accept(env: Env, offer_id: int) -> LeadOffer:
    """The partner takes the lead: it becomes theirs."""
    offer = _open_offer(env, offer_id)
    records = env.sudo().records
    records.update("lead_offers", offer.id, {"status": "accepted", "answered_at": env.now()})
    records.update("leads", offer.lead_id, {"partner_id": offer.partner_id})
    return offer


def decline(env: Env, offer_id: int, reason: str | None = None) -> LeadOffer:
    """The partner declines the lead, which goes to the next partner."""
    offer = _open_offer(env, offer_id)
    env.sudo().records.update("lead_offers", offer.id, {"status": "declined", "answered_at": env.now(),
                                                        "decline_reason": (reason or "").strip() or None})
    offer_lead(env, offer.lead)
    return offer
