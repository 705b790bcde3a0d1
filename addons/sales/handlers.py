"""Event handlers of the sales addon, and the events it offers webhook subscribers."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import signals as core_signals
from core.db import db
from core.declarations import EventHandler, WebhookEvent
from core.env import Env
from core.mail import signals as mail_signals
from core.records.bulk import one_of

from addons.sales import signals

__all__ = ["event_handlers", "webhook_events"]


def _new_lead(sender: str, record: Any, env: Env, **_: Any) -> None:
    """A new lead without an owner is assigned by the rules, then scored."""
    from addons.sales.assignment import assign_lead
    from addons.sales.scoring import score_leads

    if record.owner_id is None and record.status == "new":
        assign_lead(env, record)
    score_leads(env.sudo(), [record.id])


def _opportunity_created(sender: str, record: Any, env: Env, **_: Any) -> None:
    from addons.sales.outcomes import announce_outcome
    from addons.sales.scoring import score_opportunities

    announce_outcome(env, record)
    if record.status == "open":
        score_opportunities(env.sudo(), [record.id])  # the owner sees a prediction at once


def _opportunity_updated(sender: str, record: Any, env: Env, changes: dict[str, Any], **_: Any) -> None:
    from addons.sales.outcomes import announce_outcome, announce_stage_change
    from addons.sales.scoring import score_opportunities

    if "stage_id" in changes:
        announce_stage_change(env, record, *changes["stage_id"])
        if record.status == "open":
            score_opportunities(env.sudo(), [record.id])  # the stage reached is the strongest factor
    if "status" in changes:
        announce_outcome(env, record)


def _activity_written(sender: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_: Any) -> None:
    from addons.sales.followup import post_to_timeline, refresh_followup

    post_to_timeline(env, record)
    refresh_followup(env, record.related_model, record.related_id)
    if changes and ("related_model" in changes or "related_id" in changes):
        # Moved to another record: the one it left needs its follow-up recomputed too.
        old_model = changes["related_model"][0] if "related_model" in changes else record.related_model
        old_id = changes["related_id"][0] if "related_id" in changes else record.related_id
        refresh_followup(env, old_model, int(old_id) if old_id else None)


def _activity_deleted(sender: str, record: Any, env: Env, **_: Any) -> None:
    from addons.sales.followup import refresh_followup

    # Sent before the row goes: recompute the follow-up as if it were gone already.
    refresh_followup(env, record.related_model, record.related_id, leaving=record.id)


def _interaction_created(sender: str, record: Any, env: Env, **_: Any) -> None:
    from addons.sales.followup import refresh_followup

    refresh_followup(env, record.related_model, record.related_id)


def _interactions_created(sender: str, ids: list[int], env: Env, **_: Any) -> None:
    """The batch form: each deal or lead the interactions are about, once."""
    from addons.contacts.models import Interaction
    from addons.sales.followup import refresh_followup

    about = db.session.execute(select(Interaction.related_model, Interaction.related_id).where(
        one_of(Interaction.id, ids), Interaction.related_id.is_not(None)).distinct()).all()
    for resource, record_id in sorted(about):
        refresh_followup(env, resource, record_id)


def _rate_written(sender: str, record: Any, env: Env, **_: Any) -> None:
    from addons.sales.rates import refresh_amounts

    refresh_amounts(env.sudo(), record.currency, closed_since=record.valid_from or date.min)


def _count_engagement(counter: str, message: Any, env: Env) -> None:
    if getattr(message, "related_model", None) != "leads" or message.related_id is None:
        return
    platform = env.sudo()
    lead = platform.records.get("leads", message.related_id)
    platform.records.update("leads", lead.id, {counter: getattr(lead, counter) + 1})


# Module-level functions, not made by a factory: the kernel connects a handler once per
# function, and a new function per app would count every open once per app in the process.
def _mail_opened(sender: str, message: Any, env: Env, **_: Any) -> None:
    _count_engagement("emails_opened", message, env)


def _mail_clicked(sender: str, message: Any, env: Env, **_: Any) -> None:
    _count_engagement("emails_clicked", message, env)


def event_handlers() -> list[EventHandler]:
    """Every handler of the addon; bookkeeping of its own records is part of the write."""
    return [
        EventHandler(core_signals.record_created, _new_lead, sender="leads"),
        EventHandler(core_signals.record_created, _opportunity_created, sender="opportunities", transactional=True),
        EventHandler(core_signals.record_updated, _opportunity_updated, sender="opportunities", transactional=True),
        EventHandler(core_signals.record_created, _activity_written, sender="activities", transactional=True),
        EventHandler(core_signals.record_updated, _activity_written, sender="activities", transactional=True),
        EventHandler(core_signals.record_deleted, _activity_deleted, sender="activities", transactional=True),
        EventHandler(core_signals.record_created, _interaction_created, sender="interactions",
                     batch=_interactions_created),
        EventHandler(core_signals.record_created, _rate_written, sender="exchange_rates", transactional=True),
        EventHandler(core_signals.record_updated, _rate_written, sender="exchange_rates", transactional=True),
        EventHandler(mail_signals.mail_opened, _mail_opened, sender="mail"),
        EventHandler(mail_signals.mail_clicked, _mail_clicked, sender="mail"),
    ]


def _deal(sender: str, opportunity: Any, env: Env, **payload: Any) -> dict[str, Any]:
    """The JSON a webhook subscriber receives: the deal and the event's figures."""
    data = {key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in payload.items() if key != "env"}
    return {"opportunity": Env.system().records.dump("opportunities", [opportunity])[0], **data}


def webhook_events() -> list[WebhookEvent]:
    """sales.opportunity_won, sales.opportunity_lost and sales.stage_changed."""
    return [
        WebhookEvent("sales.opportunity_won", signals.opportunity_won, _deal, "An opportunity was won."),
        WebhookEvent("sales.opportunity_lost", signals.opportunity_lost, _deal, "An opportunity was lost."),
        WebhookEvent("sales.stage_changed", signals.stage_changed, _deal, "An opportunity changed stage."),
    ]
