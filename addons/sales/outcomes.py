"""Winning and losing deals, and the events other addons hear about it."""
from __future__ import annotations

from typing import Any, Mapping

from core.db import db
from core.env import Env
from core.events import emit
from core.records.errors import ValidationFailed

from addons.sales import signals
from addons.sales.analytics import money
from addons.sales.models import Lead, Opportunity
from addons.sales.models.currency import company_currency
from addons.sales.models.pipeline import outcome_stage

__all__ = ["win", "lose", "announce_outcome", "announce_stage_change", "outcome_payload"]


def _version(payload: Mapping[str, Any]) -> int | None:
    version = payload.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed({"version": ["Not a valid integer."]})
    return version


def _close(env: Env, opportunity: Opportunity, outcome: str, values: dict[str, Any],
           payload: Mapping[str, Any]) -> dict[str, Any]:
    if opportunity.status == outcome:
        raise ValidationFailed({"status": [f"{opportunity.display_name} is already {outcome} "
                                           f"(closed on {opportunity.closed_on}); reopen it by moving it to an open stage."]})
    stage = outcome_stage(env, opportunity.team_id, outcome)
    if stage is None:
        raise ValidationFailed({"stage_id": [f"No {outcome} stage in the pipeline: add one under Sales settings > Stages."]})
    if payload.get("closed_on"):
        values["closed_on"] = payload["closed_on"]
    record = env.records.update("opportunities", opportunity.id, {"stage_id": stage.id, **values},
                                version=_version(payload))
    return env.records.dump("opportunities", [record])[0]


def win(env: Env, opportunity: Opportunity, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Move the deal to the won stage (optional `amount`, `closed_on`, `version`)."""
    values: dict[str, Any] = {}
    if payload.get("amount") is not None:
        values["amount"] = payload["amount"]
    return _close(env, opportunity, "won", values, payload)


def lose(env: Env, opportunity: Opportunity, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Move the deal to the lost stage with a `lost_reason_id` (required) and a `note`."""
    reason = payload.get("lost_reason_id")
    if not isinstance(reason, int) or isinstance(reason, bool):
        raise ValidationFailed({"lost_reason_id": ["Say why the deal was lost: give the id of a lost reason "
                                                   "(GET /api/v1/lost_reasons)."]})
    values: dict[str, Any] = {"lost_reason_id": reason}
    if payload.get("note"):
        values["lost_note"] = str(payload["note"])
    return _close(env, opportunity, "lost", values, payload)


def _lead_of(env: Env, opportunity: Opportunity) -> int | None:
    statement = env.sudo().records.select("leads", [["opportunity_id", "=", opportunity.id]])
    return db.session.scalar(statement.with_only_columns(Lead.id).limit(1))


def outcome_payload(env: Env, opportunity: Opportunity) -> dict[str, Any]:
    """What `opportunity_won` and `opportunity_lost` carry besides the record."""
    payload: dict[str, Any] = {
        "amount": money(opportunity.amount_company), "currency": company_currency(env),
        "owner_id": opportunity.owner_id, "account_id": opportunity.account_id, "lead_id": _lead_of(env, opportunity),
        "utm_campaign": opportunity.utm_campaign,
    }
    if opportunity.status == "lost":
        reason = opportunity.lost_reason
        payload.update(lost_reason_id=opportunity.lost_reason_id, lost_reason=reason.name if reason else None)
    return payload


def announce_outcome(env: Env, opportunity: Opportunity) -> None:
    """Send `opportunity_won` or `opportunity_lost` for a deal that just closed."""
    signal = {"won": signals.opportunity_won, "lost": signals.opportunity_lost}.get(opportunity.status)
    if signal is not None:
        emit(signal, "opportunities", opportunity=opportunity, env=env, **outcome_payload(env, opportunity))


def announce_stage_change(env: Env, opportunity: Opportunity, old: str | None, new: str | None) -> None:
    """Send `stage_changed` (stage ids arrive as audit text)."""
    emit(signals.stage_changed, "opportunities", opportunity=opportunity, env=env,
         old_stage_id=int(old) if old else None, new_stage_id=int(new) if new else None)

