"""The sales addon's periodic sweeps; each derives what is due from the database."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.declarations import Job
from core.jobs import JobContext

__all__ = ["sales_jobs"]


def _stale_deals(ctx: JobContext) -> dict[str, int]:
    from addons.sales.alerts import raise_stale_deal_alerts

    return raise_stale_deal_alerts(ctx.env)


def _score(ctx: JobContext) -> dict[str, int]:
    from addons.sales.scoring import score_leads, score_opportunities

    leads = score_leads(ctx.env)
    ctx.commit()
    return {"leads_changed": leads, "opportunities_changed": score_opportunities(ctx.env)}


def _assign_waiting(ctx: JobContext) -> dict[str, int]:
    from addons.sales.assignment import assign_waiting_leads

    return {"assigned": assign_waiting_leads(ctx.env)}


def _rates(ctx: JobContext) -> dict[str, int]:
    from addons.sales.rates import refresh_amounts

    return {"deals_converted_again": refresh_amounts(ctx.env)}


def _snapshot(ctx: JobContext) -> dict[str, Any]:
    from addons.sales.forecast import take_snapshots

    return {"snapshots": take_snapshots(ctx.env, ctx.now().date())}


def sales_jobs() -> list[Job]:
    """Reminders every five minutes, alerts and scoring hourly, the rest daily."""
    from addons.sales.reminders import send_due_reminders

    return [
        Job("sales.activity_reminders", send_due_reminders, every=timedelta(minutes=5),
            description="Email the assignee of every activity that falls due, once."),
        Job("sales.stale_deals", _stale_deals, every=timedelta(hours=1),
            description="A follow-up task for owners of deals with no activity lately or past their close date."),
        Job("sales.score", _score, every=timedelta(hours=1),
            description="Score open leads (rules and prediction) and predict the outcome of open deals."),
        Job("sales.assign_leads", _assign_waiting, every=timedelta(minutes=15),
            description="Assign new leads that no rule could place when they arrived."),
        Job("sales.refresh_amounts", _rates, cron="5 0 * * *",
            description="Convert open deals again when an exchange rate comes into force."),
        Job("sales.forecast_snapshot", _snapshot, cron="15 0 * * *",
            description="Record each team's pipeline at the start of the month, for the forecast backtest."),
    ]
