"""Analytics' demo figures: on a demo database, the facts, RFM scores, value tiers and
lifetime values are computed as soon as analytics and each addon after it are installed, so the lists, the
cohorts and the contacts' segments show real figures on first run (the jobs keep them
current afterwards). Analytics ships no demo records of its own: its facts are the other
addons' demo deals, gifts and payments."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core import signals
from core.addons.state import InstalledAddon
from core.db import db
from core.declarations import EventHandler
from core.env import Env

from addons.analytics.ltv.compute import estimate_ltv
from addons.analytics.ltv.fitting import MissingLibrary
from addons.analytics.refresh import refresh_all
from addons.analytics.rfm import score_rfm
from addons.analytics.tiers import value_customers

__all__ = ["compute_figures", "demo_handlers"]


def compute_figures(env: Env) -> None:
    """Read every source again from its start (nothing left to settle; what an addon
    installed earlier could not convert may convert now), score and value every
    customer, and fit their lifetime value where the `ltv` extra is installed, in the
    caller's transaction."""
    refresh_all(env, rebuild=True, settle=timedelta(0), commit=False)
    score_rfm(env)
    value_customers(env)
    try:
        estimate_ltv(env)
    except MissingLibrary:
        pass  # the Lifetime value page says how to install it


def _on_installed(sender: str, env: Env, **_kw: Any) -> None:
    # Within the installation's transaction: analytics, or an addon after it, on a demo database.
    demo = db.session.scalar(select(InstalledAddon.demo).where(InstalledAddon.name == "analytics"))
    if demo:
        compute_figures(env)


def demo_handlers() -> list[EventHandler]:
    """The demo figures computed whenever an addon is installed on a demo database that has analytics."""
    return [EventHandler(signals.addon_installed, _on_installed)]
