"""Record actions of the sales addon: `POST /api/v1/<resource>/<id>/<action>`."""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, fields, validate

from core.api.actions import ApiAction
from core.env import Env
from core.records.errors import AccessDenied, ValidationFailed

__all__ = ["api_actions"]


def _convert(env: Env, lead: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.sales.conversion import convert_lead

    return convert_lead(env, lead, payload)


def _assign(env: Env, lead: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.sales.assignment import assign_lead

    if not env.policy.can("lead_assignment_rules", "update"):
        raise AccessDenied("assigning by the rules is for sales managers: you may change the owner by hand")
    entry = assign_lead(env, lead)
    if entry is None:
        raise ValidationFailed({"owner_id": ["No active assignment rule matches this lead with a member free to "
                                             "take it: see Sales settings > Assignment rules."]})
    return {"id": lead.id, "owner_id": lead.owner_id, "team_id": lead.team_id, "reason": entry.reason}


def _score_lead(env: Env, lead: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.sales.scoring import score_leads

    score_leads(env.sudo(), [lead.id])
    return {"id": lead.id, "score": lead.score, "predicted_probability": lead.predicted_probability,
            "factors": lead.score_factors}


def _score_deal(env: Env, deal: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.sales.scoring import score_opportunities

    score_opportunities(env.sudo(), [deal.id])
    return {"id": deal.id, "predicted_probability": deal.predicted_probability, "factors": deal.score_factors}


def _win(env: Env, deal: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.sales.outcomes import win

    return win(env, deal, payload)


def _lose(env: Env, deal: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.sales.outcomes import lose

    return lose(env, deal, payload)


def _done(env: Env, activity: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"done": True}
    if payload.get("outcome"):
        values["outcome"] = str(payload["outcome"])
    record = env.records.update("activities", activity.id, values)
    return env.records.dump("activities", [record])[0]


def _record_id(**options: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1), **options)


class _ConvertBody(Schema):
    account_id = _record_id(allow_none=True, metadata={"description": "Link this account instead of looking"})
    contact_id = _record_id(allow_none=True, metadata={"description": "Link this contact instead of looking"})
    name = fields.String(allow_none=True, metadata={"description": "The opportunity's name"})
    amount = fields.Decimal(allow_none=True, as_string=True)
    close_date = fields.String(allow_none=True, metadata={"format": "date"})
    stage_id = _record_id(allow_none=True)
    role = fields.String(allow_none=True, metadata={"description": "The contact's buying role in the deal"})


class _WinBody(Schema):
    amount = fields.Decimal(allow_none=True, as_string=True)
    closed_on = fields.String(allow_none=True, metadata={"format": "date"})
    version = fields.Integer(strict=True, allow_none=True)


class _LoseBody(Schema):
    lost_reason_id = _record_id(metadata={"description": "GET /api/v1/lost_reasons"})
    note = fields.String(allow_none=True, validate=validate.Length(max=100_000))
    version = fields.Integer(strict=True, allow_none=True)


class _DoneBody(Schema):
    outcome = fields.String(allow_none=True, validate=validate.Length(max=100_000))


def api_actions() -> list[ApiAction]:
    """Every action of the addon."""
    return [
        ApiAction("leads", "convert", _convert, "Convert the lead: link or create the account and contact, "
                  "create the opportunity (409 if converted already)", body=_ConvertBody),
        ApiAction("leads", "assign", _assign, "Assign the lead by the assignment rules now"),
        ApiAction("leads", "score", _score_lead, "Score the lead now and return the factors"),
        ApiAction("opportunities", "score", _score_deal, "Predict the outcome of the deal now"),
        ApiAction("opportunities", "win", _win, "Mark the deal won (optional amount, closed_on, version)",
                  body=_WinBody),
        ApiAction("opportunities", "lose", _lose, "Mark the deal lost with a lost_reason_id (and a note)",
                  body=_LoseBody),
        ApiAction("activities", "done", _done, "Mark the activity done (optional outcome); it goes on the timeline",
                  body=_DoneBody),
    ]
