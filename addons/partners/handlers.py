"""Event handlers of the partners addon: conflicts of a new registration, commissions
earned on a won partner deal and reversed when it is re-opened."""
from __future__ import annotations

from typing import Any

from core import signals as core_signals
from core.declarations import EventHandler
from core.env import Env

from addons.sales import signals as sales_signals

__all__ = ["event_handlers"]


def _registration_created(sender: str, record: Any, env: Env, **_: Any) -> None:
    from addons.partners.registrations.decisions import detect_conflicts

    detect_conflicts(env, record)


def _deal_won(sender: str, opportunity: Any, env: Env, amount: Any, **_: Any) -> None:
    from addons.partners.commissions import earn_commission

    earn_commission(env, opportunity, amount)


def _deal_updated(sender: str, record: Any, env: Env, changes: dict[str, Any], **_: Any) -> None:
    from addons.partners.commissions import reverse_commissions

    if "status" in changes and changes["status"][0] == "won" and record.status != "won":
        reverse_commissions(env, record.id)


def event_handlers() -> list[EventHandler]:
    """Every handler of the addon; each is part of the write that announced it."""
    return [
        EventHandler(core_signals.record_created, _registration_created, sender="deal_registrations",
                     transactional=True),
        EventHandler(sales_signals.opportunity_won, _deal_won, sender="opportunities", transactional=True),
        EventHandler(core_signals.record_updated, _deal_updated, sender="opportunities", transactional=True),
    ]
