"""Earning points (an event handler on new interactions) and spending them (an API action)."""
from __future__ import annotations

from typing import Any, Mapping

from core.env import Env
from core.records.errors import ValidationFailed

__all__ = ["POINTS_PER_TOUCH", "award_points", "redeem"]

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


def redeem(env: Env, card: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """`POST /api/v1/loyalty_cards/<id>/redeem` with `{"points": 100, "reason": "...", "version": 3}`.

    Spends points from an active card and notes it on the contact's timeline. `version`
    is optional; when given, a card changed since the caller read it is a 409 conflict.
    Bad input is a 422 naming the field.
    """
    unknown = sorted(set(payload) - {"points", "reason", "version"})
    if unknown:
        raise ValidationFailed({name: ["Unknown field: send points, and optionally reason and version."]
                                for name in unknown})
    points, reason, version = payload.get("points"), payload.get("reason"), payload.get("version")
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ValidationFailed({"points": ["Give a whole number of points greater than zero."]})
    if reason is not None and (not isinstance(reason, str) or len(reason) > _REASON_MAX):
        raise ValidationFailed({"reason": [f"Give a text of at most {_REASON_MAX} characters."]})
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed({"version": ["Not a valid integer."]})
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
