"""The channel dashboard (revenue by tier and by partner, pipeline, win and acceptance
rates, registrations to decide, certifications expiring) and each partner's scorecard on
its page (`addons.partners.scorecards`)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, TypeVar

from flask import g, render_template

from core.declarations import Chart, Dashboard, DetailPanel, Kpi, QuickAction
from core.env import Env

from addons.partners import scorecards as figures

__all__ = ["channel_dashboard", "scorecard_panels"]

T = TypeVar("T")


def _once(figure: Callable[[Env], T]) -> Callable[[Env], T]:
    """`figure`, computed once per request: several tiles read the scorecards."""
    def shared(env: Env) -> T:
        computed = g.setdefault("partners_figures", {})
        if figure not in computed:
            computed[figure] = figure(env)
        return computed[figure]

    return shared


_cards = _once(figures.scorecards)


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"


def _percent(value: float | None) -> str:
    return f"{value:g} %" if value is not None else "—"


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _win_rate(env: Env) -> str:
    cards = _cards(env)
    return _percent(_rate(sum(c.won for c in cards), sum(c.won + c.lost for c in cards)))


def _acceptance(env: Env) -> str:
    cards = _cards(env)
    return _percent(_rate(sum(c.offers_accepted for c in cards), sum(c.offers_answered for c in cards)))


def _response(env: Env) -> str:
    timed = [(c.response_hours, c.offers_answered) for c in _cards(env) if c.response_hours is not None]
    weight = sum(count for _, count in timed)
    return f"{sum(hours * count for hours, count in timed) / weight:.1f} h" if weight else "—"


def _series(name: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {"labels": [label for label, _ in pairs], "series": [{"name": name, "data": [float(v) for _, v in pairs]}]}


def channel_dashboard() -> Dashboard:
    """The channel's figures over the trailing twelve months, for whoever reads partners."""
    return Dashboard("partners", "Channel", kpis=[
        Kpi("Partner revenue (12 months)", lambda env: _money(sum((c.revenue for c in _cards(env)), Decimal(0))),
            "partners", "/m/partners"),
        Kpi("Partner pipeline", lambda env: _money(sum((c.pipeline for c in _cards(env)), Decimal(0))), "partners",
            "/m/opportunities"),
        Kpi("Partner win rate (12 months)", _win_rate, "partners"),
        Kpi("Lead acceptance rate", _acceptance, "lead_offers", "/m/lead_offers"),
        Kpi("Average response to offers", _response, "lead_offers", "/m/lead_offers"),
        Kpi("Registrations to decide", lambda env: env.records.count(
            "deal_registrations", [["status", "=", "submitted"]]).value, "deal_registrations",
            "/m/deal_registrations?f=To+decide"),
        Kpi("Certifications expiring (60 days)", lambda env: sum(c.expiring for c in _cards(env)),
            "partner_certifications", "/m/partner_certifications?f=Expiring+within+60+days"),
    ], charts=[
        Chart("Revenue by tier (12 months)", "bar", lambda env: _series("Revenue", figures.revenue_by_tier(env)),
              "partners"),
        Chart("Revenue by partner (12 months)", "bar",
              lambda env: _series("Revenue", figures.revenue_by_partner(env)), "partners"),
        Chart("Lead offers by answer", "doughnut", lambda env: _series("Offers", figures.offer_answers(env)),
              "lead_offers"),
    ])


def _render(env: Env, partner: Any) -> str:
    cards = figures.scorecards(env, partner.id)
    return render_template("partners/scorecard_panel.html", card=cards[0] if cards else None, money=_money,
                           percent=_percent)


def scorecard_panels() -> list[DetailPanel]:
    """A partner's scorecard, on its page, with the button approving a proposed tier change."""
    approve = QuickAction("Approve the tier change", lambda partner: partner.proposed_tier_id is not None,
                          post="/partners/partners/{id}/apply_tier_review", style="primary")
    return [DetailPanel("partners.scorecard", "Scorecard", lambda resource: resource == "partners", _render,
                        quick_actions=(approve,), position=20)]
