"""Membership figures in the API, beyond records, read through the caller's record rules:

- `GET /api/v1/_membership/households/<id>/giving`: the household's received gifts per
  currency (`{"household_id": n, "giving": [{"currency", "total", "gifts", "donors"}]}`);
- `GET /api/v1/_membership/volunteer_hours?contact_id=&year=`: attended shifts and hours
  per volunteer and year (`{"data": [{"contact_id", "year", "shifts", "hours"}]}`), of
  one volunteer or year when given; a parameter that is no whole number is a 422 naming it;
- `POST /api/v1/_membership/processors/<key>/notify`: a payment processor's notification
  (no token: the processor's signature proves it), which settles the online payment it
  names (`checkout.settle_checkout`) and answers `{"status": "paid" | "ignored", ...}`;
  401 when the signature does not prove it, 409 or 422 with the reason when the payment
  cannot be settled (cancelled, another amount), and nothing is written.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from core.api.problems import answer_errors_as_problems
from core.db import db
from core.declarations import ApiPath
from core.env import Env
from core.jobs.http import acting_env
from core.records.errors import NotFound, ValidationFailed
from core.web.security import csrf

from addons.membership.checkout import processor, settle_checkout
from addons.membership.households import household_giving
from addons.membership.volunteering import volunteer_hours

__all__ = ["blueprint", "api_paths"]

blueprint = Blueprint("membership_api", __name__, url_prefix="/api/v1/_membership")
# Bearer-token callers have no CSRF token; session writes are checked in acting_env().
csrf.exempt(blueprint)
answer_errors_as_problems(blueprint)


@blueprint.get("/households/<int:household_id>/giving")
def giving(household_id: int) -> Response:
    """A household's received gifts per currency (404 for a household the caller cannot read)."""
    env = acting_env()
    env.records.get("households", household_id)
    return jsonify({"household_id": household_id, "giving": [
        {"currency": row.currency, "total": str(row.total), "gifts": row.gifts, "donors": row.donors}
        for row in household_giving(env, [household_id])]})


@blueprint.get("/volunteer_hours")
def hours() -> Response:
    """Attended shifts and hours per volunteer and year."""
    env = acting_env()
    rows = volunteer_hours(env, contact_id=_whole("contact_id", 1), year=_whole("year", 1900, 2200))
    return jsonify({"data": [{"contact_id": row.contact_id, "year": row.year, "shifts": row.shifts,
                              "hours": str(row.hours)} for row in rows]})


@blueprint.post("/processors/<key>/notify")
def notify(key: str) -> Response:
    """A payment processor's notification of a payment, settling the online payment it names."""
    chosen = processor(key)
    if chosen.verify is None:
        raise NotFound(f"the {key} processor sends no notification")
    settlement = chosen.verify(request)
    if settlement is None:
        return jsonify({"status": "ignored"})
    payment = settle_checkout(Env.system(), settlement, chosen.key)
    db.session.commit()
    return jsonify({"status": "paid", "reference": settlement.reference, "payment_id": payment.id})


def _whole(name: str, low: int, high: int = 2**31 - 1) -> int | None:
    """The query parameter `name` as a whole number in [low, high], None when absent."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationFailed({name: [f"Give a whole number from {low} to {high}."]})
    return int(text)


def _answer(description: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": item}}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def api_paths() -> list[ApiPath]:
    """The figures' endpoints and the processors' notification, for the OpenAPI document."""
    money = {"type": "string", "description": "a decimal amount"}
    giving_row = {"type": "object", "properties": {"currency": {"type": "string"}, "total": money,
                                                   "gifts": {"type": "integer"}, "donors": {"type": "integer"}}}
    hours_row = {"type": "object", "properties": {"contact_id": {"type": "integer"}, "year": {"type": "integer"},
                                                  "shifts": {"type": "integer"}, "hours": money}}
    query = [{"name": name, "in": "query", "required": False, "schema": {"type": "integer"}, "description": text}
             for name, text in (("contact_id", "one volunteer's"), ("year", "one year's (the shift's start, UTC)"))]
    return [
        ApiPath("/api/v1/_membership/households/{household_id}/giving", {"get": {
            "summary": "A household's received gifts per currency", "tags": ["households"],
            "parameters": [{"name": "household_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _answer("The giving", {"type": "object", "properties": {
                "household_id": {"type": "integer"}, "giving": {"type": "array", "items": giving_row}}}),
                "404": _problem("No household the caller may read")}}}),
        ApiPath("/api/v1/_membership/volunteer_hours", {"get": {
            "summary": "Attended shifts and hours per volunteer and year", "tags": ["volunteer_signups"],
            "parameters": query,
            "responses": {"200": _answer("The hours", {"type": "object", "properties": {
                "data": {"type": "array", "items": hours_row}}}),
                "422": _problem("A parameter is not a whole number in range")}}}),
        ApiPath("/api/v1/_membership/processors/{key}/notify", {"post": {
            "summary": "A payment processor's notification of a member's online payment",
            "description": "Posted by the processor, proven by its own signature (no bearer token): it "
                           "settles the online payment (`membership_checkouts`) it names, once.",
            "tags": ["membership_checkouts"], "security": [],
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "description": "The processor's own notification"}}}},
            "responses": {"200": _answer("Settled (or settled already), or a notification of something else",
                                         {"type": "object", "properties": {
                                             "status": {"enum": ["paid", "ignored"]},
                                             "reference": {"type": "string"}, "payment_id": {"type": "integer"}}}),
                          "401": _problem("The signature does not prove the notification: nothing is written"),
                          "404": _problem("No such processor, or no such online payment"),
                          "409": _problem("The online payment is paid otherwise, or was cancelled"),
                          "422": _problem("Another amount, currency or processor than the payment's")}}}),
    ]
