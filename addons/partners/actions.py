"""Record actions of the partners addon: `POST /api/v1/<resource>/<id>/<action>`."""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, fields, validate

from core.api.actions import ApiAction
from core.env import Env

__all__ = ["api_actions"]


def _approve(env: Env, registration: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.registrations.decisions import approve

    return approve(env, registration, payload)


def _reject(env: Env, registration: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from addons.partners.registrations.decisions import reject

    return reject(env, registration, payload)


class _DecisionBody(Schema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=10_000),
                           metadata={"description": "Told to the partner; required to reject"})


def api_actions() -> list[ApiAction]:
    """Every action of the addon."""
    return [
        ApiAction("deal_registrations", "approve", _approve, "Approve the registration: the partner's protected "
                  "deal is created, other registrations of the customer are flagged", body=_DecisionBody),
        ApiAction("deal_registrations", "reject", _reject, "Reject the registration with a reason (422 without)",
                  body=_DecisionBody),
    ]
