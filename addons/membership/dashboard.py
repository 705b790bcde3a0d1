"""The membership dashboard for staff: members by status and level (now and over twelve
months), retention per join-year cohort, gifts by fund and month and by appeal, lapsed
members and donors (each lapsed-donor tile leading to its saved filter), online payments
awaited, the donor pyramid and volunteer hours (figures from `addons.membership.figures`)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect
from werkzeug.wrappers import Response

from core.declarations import Chart, Dashboard, Kpi
from core.env import Env
from core.records.errors import NotFound
from core.web.security import login_required, web_env

from addons.membership import figures
from addons.membership.periods import LIVE_STATUSES
from addons.membership.segments import SEGMENTS, segment_id

__all__ = ["membership_dashboard", "blueprint"]

blueprint = Blueprint("membership_dashboard", __name__)


@blueprint.get("/membership/segments/<kind>")
@login_required
def segment(kind: str) -> Response:
    """A lapsed-donor tile's link: the contacts list through its saved filter."""
    if kind not in SEGMENTS:
        raise NotFound(f"no segment {kind!r}")
    saved = web_env().records.get("saved_filters", segment_id(kind))
    return redirect(f"/m/contacts?view={saved.id}", code=303)


def _series(name: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {"labels": [label for label, _ in pairs], "series": [{"name": name, "data": [float(v) for _, v in pairs]}]}


def _retention(env: Env) -> str:
    cohorts = figures.retention_by_cohort(env)
    return f"{cohorts[-2][1]:g} %" if len(cohorts) > 1 else "—"


def _hours(env: Env) -> str:
    return f"{sum(hours for _, hours in figures.volunteer_hours_by_month(env)):,.0f} h"


def membership_dashboard() -> Dashboard:
    """The society's figures, for whoever reads memberships (each tile and chart for who
    reads its model)."""
    return Dashboard("membership", "Membership", kpis=[
        Kpi("Live members", lambda env: env.records.count("memberships", [["status", "in", list(LIVE_STATUSES)]]).value,
            "memberships", "/m/memberships?f=Current"),
        Kpi("In grace", lambda env: env.records.count("memberships", [["status", "=", "grace"]]).value,
            "memberships", "/m/memberships?f=In+grace"),
        Kpi("Retention of last year's joiners", _retention, "memberships"),
        Kpi("LYBUNT donors", lambda env: figures.lapsed_donors(env)[0], "donations", "/membership/segments/lybunt"),
        Kpi("SYBUNT donors", lambda env: figures.lapsed_donors(env)[1], "donations", "/membership/segments/sybunt"),
        Kpi("Lapsed members", lambda env: env.records.count("memberships", [["status", "=", "expired"]]).value,
            "memberships", "/m/memberships?f=Expired"),
        Kpi("Online payments awaited",
            lambda env: env.records.count("membership_checkouts", [["status", "=", "open"]]).value,
            "membership_checkouts", "/m/membership_checkouts?f=Awaiting+payment"),
        Kpi("Volunteer hours (12 months)", _hours, "volunteer_signups", "/m/volunteer_signups?f=Attended"),
    ], charts=[
        Chart("Members by status", "doughnut", lambda env: _series("Memberships", figures.members_by_status(env)),
              "memberships"),
        Chart("Live members by level", "bar", lambda env: _series("Members", figures.live_members_by_level(env)),
              "memberships"),
        Chart("Members by level over twelve months", "line", figures.members_by_level_by_month, "memberships"),
        Chart("Retention by join year (%)", "bar",
              lambda env: _series("Still members", figures.retention_by_cohort(env)), "memberships"),
        Chart("Gifts by fund and month", "bar", figures.gifts_by_fund_and_month, "donations"),
        Chart("Gifts by appeal (12 months)", "bar", lambda env: _series("Given", figures.gifts_by_appeal(env)),
              "donations"),
        Chart("Donor pyramid (12 months)", "funnel", lambda env: _series("Donors", figures.donor_pyramid(env)),
              "donations"),
        Chart("Volunteer hours by month", "line",
              lambda env: _series("Hours", figures.volunteer_hours_by_month(env)), "volunteer_signups"),
    ])
