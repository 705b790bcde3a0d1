"""Record actions of the partners addon: `POST /api/v1/<resource>/<id>/<action>`."""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, fields, validate

from core.api.actions import ApiAction
from core.env import Env
from core.records.errors import AccessDenied

__all__ = ["api_actions"]


def _approve(env: Env, registration: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.registrations.decisions import approve

    return approve(env, registration, payload)


def _reject(env: Env, registration: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.registrations.decisions import reject

    return reject(env, registration, payload)


def _offer(env: Env, lead: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.distribution.offers import offer_lead

    if not env.policy.can("lead_offers", "create"):
        raise AccessDenied("offering leads to partners is for channel managers")
    offer = offer_lead(env, lead)
    if offer is None:
        return {"lead_id": lead.id, "offer": None, "owner_id": lead.owner_id}
    return {"lead_id": lead.id, "offer": env.sudo().records.dump("lead_offers", [offer])[0]}


def _accept(env: Env, offer: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.distribution.offers import accept

    return env.records.dump("lead_offers", [accept(env, offer.id)])[0]


def _decline(env: Env, offer: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.distribution.offers import decline

    return env.records.dump("lead_offers", [decline(env, offer.id, payload.get("reason"))])[0]


def _approve_funds(env: Env, request: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.funds import approve_funds

    return env.records.dump("fund_requests", [approve_funds(env, request, payload)])[0]


def _reject_funds(env: Env, request: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.funds import reject_funds

    return env.records.dump("fund_requests", [reject_funds(env, request, payload)])[0]


def _claim_funds(env: Env, request: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.funds import claim_funds

    return env.records.dump("fund_requests", [claim_funds(env, request.id, payload)])[0]


def _pay_funds(env: Env, request: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.funds import pay_funds

    return env.records.dump("fund_requests", [pay_funds(env, request)])[0]


def _apply_review(env: Env, partner: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.tiers import apply_review

    return apply_review(env, partner, payload)


class _FundDecisionBody(Schema):
    amount = fields.Decimal(allow_none=True, as_string=True, metadata={"description": "Less than the budget"})
    reason = fields.String(allow_none=True, validate=validate.Length(max=10_000))


class _ClaimBody(Schema):
    amount = fields.Decimal(allow_none=True, as_string=True, metadata={"description": "What was spent"})
    proof = fields.String(allow_none=True, validate=validate.Length(max=10_000),
                          metadata={"description": "Invoices, or a link to them"})


class _DecisionBody(Schema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=10_000),
                           metadata={"description": "Why: told to the partner (required to reject a registration)"})


def api_actions() -> list[ApiAction]:
    """Every action of the addon."""
    return [
        ApiAction("deal_registrations", "approve", _approve, "Approve the registration: the partner's protected "
                  "deal is created, other registrations of the customer are flagged", body=_DecisionBody),
        ApiAction("deal_registrations", "reject", _reject, "Reject the registration with a reason (422 without)",
                  body=_DecisionBody),
        ApiAction("leads", "offer_to_partners", _offer, "Offer the lead to the next partner by the distribution "
                  "rules (offer null: it went back to the internal team)"),
        ApiAction("lead_offers", "accept", _accept, "The partner accepts the lead offered", operation="read"),
        ApiAction("lead_offers", "decline", _decline, "The partner declines the lead offered (optional reason); "
                  "it goes to the next partner", operation="read", body=_DecisionBody),
        ApiAction("fund_requests", "approve", _approve_funds, "Approve the request (its budget, or a smaller "
                  "amount)", body=_FundDecisionBody),
        ApiAction("fund_requests", "reject", _reject_funds, "Reject the request with a reason", body=_FundDecisionBody),
        ApiAction("fund_requests", "claim", _claim_funds, "The partner claims what it spent, with proof",
                  operation="read", body=_ClaimBody),
        ApiAction("fund_requests", "pay", _pay_funds, "Mark the claimed request paid"),
        ApiAction("partners", "apply_tier_review", _apply_review, "Approve the tier the review proposes"),
    ]
