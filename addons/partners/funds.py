"""Market development funds: a partner asks, the channel manager approves (all or part) or
rejects, the partner claims what it spent with proof, the channel pays; balances per
partner and quarter are summed in SQL.

Partner users only read fund requests: asking and claiming check who they are and write
with system rights exactly the fields a partner gives, for their own organisation.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from sqlalchemy import case, func

from core.db import db
from core.env import Env
from core.records.errors import AccessDenied, ValidationFailed

from addons.partners.models import FundRequest
from addons.partners.registrations.submission import partner_of

__all__ = ["request_funds", "approve_funds", "reject_funds", "claim_funds", "pay_funds", "balances"]

_RESOURCE = "fund_requests"


def _amount(value: Any, name: str, most: Decimal | None = None) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({name: ["Give an amount, such as 1500.00."]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed({name: ["Give an amount greater than 0."]})
    if most is not None and amount > most:
        raise ValidationFailed({name: [f"At most {most}: the amount approved."]})
    return amount


def request_funds(env: Env, values: Mapping[str, Any]) -> FundRequest:
    """The partner user's request for its organisation (activity, description, date, budget)."""
    partner_id = partner_of(env)
    given = {name: values[name] for name in ("activity", "description", "starts_on", "budget")
             if values.get(name) not in (None, "")}
    return env.sudo().records.create(_RESOURCE, {**given, "partner_id": partner_id})


def _staff_decision(env: Env, request: FundRequest, *expected: str) -> FundRequest:
    if not env.policy.can(_RESOURCE, "update"):
        raise AccessDenied("deciding fund requests is for channel managers")
    record = env.records.get(_RESOURCE, request.id)
    if record.status not in expected:
        raise ValidationFailed({"status": [f"This request is {record.status}: it cannot be changed so."]})
    return record


def approve_funds(env: Env, request: FundRequest, payload: Mapping[str, Any]) -> FundRequest:
    """Approve a request for its budget, or for a smaller `amount`."""
    record = _staff_decision(env, request, "requested")
    amount = _amount(payload["amount"], "amount", Decimal(record.budget)) if payload.get("amount") is not None \
        else Decimal(record.budget)
    return env.sudo().records.update(_RESOURCE, record.id, {"status": "approved", "approved_amount": amount,
                                                            "decision_reason": payload.get("reason") or None})


def reject_funds(env: Env, request: FundRequest, payload: Mapping[str, Any]) -> FundRequest:
    """Reject a request with a `reason` (required)."""
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["Say why the request is rejected: the partner is told."]})
    record = _staff_decision(env, request, "requested")
    return env.sudo().records.update(_RESOURCE, record.id, {"status": "rejected", "decision_reason": reason})


def claim_funds(env: Env, request_id: int, payload: Mapping[str, Any]) -> FundRequest:
    """The partner claims what it spent on an approved request (at most the amount
    approved), with its `proof` (required)."""
    partner_id = partner_of(env)
    record = env.records.get(_RESOURCE, request_id)  # another partner's request is a 404
    if record.partner_id != partner_id:
        raise AccessDenied("this request is another partner's")
    if record.status != "approved":
        raise ValidationFailed({"status": [f"Only an approved request is claimed; this one is {record.status}."]})
    amount = _amount(payload.get("amount"), "amount", Decimal(record.approved_amount))
    proof = str(payload.get("proof") or "").strip()
    if not proof:
        raise ValidationFailed({"proof": ["Give the proof of spend: invoice numbers or a link to them."]})
    return env.sudo().records.update(_RESOURCE, record.id, {"status": "claimed", "claimed_amount": amount,
                                                            "proof": proof})


def pay_funds(env: Env, request: FundRequest) -> FundRequest:
    """Mark a claimed request paid."""
    record = _staff_decision(env, request, "claimed")
    return env.sudo().records.update(_RESOURCE, record.id, {"status": "paid"})


def balances(env: Env, partner_id: int | None = None) -> list[dict[str, Any]]:
    """Per partner and quarter, as `env` may read them: asked (every request not rejected),
    approved, claimed and paid amounts, and what is approved but not yet claimed."""
    domain = [["partner_id", "=", partner_id]] if partner_id is not None else []
    rows = env.records.select(_RESOURCE, domain).subquery()

    def total(column: Any, statuses: tuple[str, ...]) -> Any:
        return func.coalesce(func.sum(case((rows.c.status.in_(statuses), column), else_=0)), 0)

    statement = db.session.query(
        rows.c.partner_id, rows.c.quarter, total(rows.c.budget, ("requested", "approved", "claimed", "paid")),
        total(rows.c.approved_amount, ("approved", "claimed", "paid")),
        total(rows.c.claimed_amount, ("claimed", "paid")), total(rows.c.claimed_amount, ("paid",)),
        total(rows.c.approved_amount, ("approved",)),
    ).group_by(rows.c.partner_id, rows.c.quarter).order_by(rows.c.partner_id, rows.c.quarter)
    names = ("partner_id", "quarter", "asked", "approved", "claimed", "paid", "unclaimed")
    return [dict(zip(names, (row[0], row[1], *(Decimal(value).quantize(Decimal("0.01")) for value in row[2:]))))
            for row in statement]
