"""Earning points (an event handler on new interactions) and spending them (an API action)."""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, fields, validate

from core.env import Env
from core.records.errors import ValidationFailed

__all__ = ["POINTS_PER_TOUCH", "award_points", "redeem", "RedeemBody"]

#: Points a card earns when its holder reaches out to us, by channel of the inbound touch.
POINTS_PER_TOUCH = {"meeting": 50, "email": 10}

_REASON_MAX = 200


def award_points(sender: str, *, record: Any, env: Env, **_payload: Any) -> None:
    """Credit the contact's active card for an inbound meeting or email.

    Connected to `core.signals.record_created` for `interactions`. The person who logs
    the touch need not have access to loyalty cards, so the card is updated with system
    rights; the records service still stamps and audits the change in that person's name.
    """
    earned = POINTS_PER_TOUCH.get(record.channel)
    if earned is None or record.direction != "inbound" or record.contact_id is None:
        return
    records = env.sudo().records
    found = records.search("loyalty_cards", [["contact_id", "=", record.contact_id], ["active", "=", True]],
                           limit=1).records
    if found:
        card = found[0]
        records.update("loyalty_cards", card.id, {"points": card.points + earned}, version=card.version)


_POINTS = "Give a whole number of points greater than zero."
_REASON = f"Give a text of at most {_REASON_MAX} characters."


class RedeemBody(Schema):
    """The body of `redeem`, which the platform validates before the action runs."""

    error_messages = {"unknown": "Unknown field: send points, and optionally reason and version."}

    points = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, error=_POINTS),
                            error_messages={"required": _POINTS, "invalid": _POINTS, "null": _POINTS})
    reason = fields.String(allow_none=True, validate=validate.Length(max=_REASON_MAX, error=_REASON),
                           error_messages={"invalid": _REASON})
    version = fields.Integer(strict=True, allow_none=True, metadata={"description": "The card's version last read"})


def redeem(env: Env, card: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """`POST /api/v1/loyalty_cards/<id>/redeem` with `{"points": 100, "reason": "...", "version": 3}`.

    Spends points from an active card and notes it on the contact's timeline. `version`
    is optional; when given, a card changed since the caller read it is a 409 conflict.
    The body is `RedeemBody`'s (bad input is a 422 naming the field).
    """
    points, reason, version = payload["points"], payload.get("reason"), payload.get("version")
    if not card.active:
        raise ValidationFailed({"points": [f"Card {card.number} is inactive; a manager must reactivate it first."]})
    if points > card.points:
        raise ValidationFailed({"points": [f"Card {card.number} holds only {card.points} points."]})
    updated = env.records.update("loyalty_cards", card.id, {"points": card.points - points}, version=version)
    env.records.create("interactions", {
        "channel": "note", "direction": "internal", "contact_id": card.contact_id,
        "subject": f"Redeemed {points} loyalty points" + (f": {reason.strip()}" if reason and reason.strip() else ""),
        "occurred_at": env.now().isoformat(), "related_model": "loyalty_cards", "related_id": card.id,
    })
    return {"redeemed": points, "card": env.records.dump("loyalty_cards", [updated])[0]}
