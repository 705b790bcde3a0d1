"""The home page and dashboards of KPI tiles and charts."""
from __future__ import annotations

from typing import Any

from flask import abort

from core.declarations import Dashboard
from core.web.blueprint import render_page, web
from core.web.security import login_required, web_env

__all__ = ["home", "dashboard"]


def _visible(env: Any, board: Dashboard) -> dict[str, Any]:
    kpis = [(kpi, kpi.compute(env)) for kpi in board.kpis if env.policy.can(kpi.model, "read")]
    charts = []
    for index, chart in enumerate(board.charts):
        if env.policy.can(chart.model, "read"):
            data = chart.compute(env)
            charts.append({"id": f"chart-{board.key}-{index}", "title": chart.title, "kind": chart.kind,
                           "data": data})
    return {"board": board, "kpis": kpis, "charts": charts}


@web.get("/")
@login_required
def home() -> tuple[str, int]:
    """The first dashboard the user can see something on, else the menu."""
    env = web_env()
    for board in env.platform.dashboards:
        content = _visible(env, board)
        if content["kpis"] or content["charts"]:
            return render_page("dashboard.html", boards=env.platform.dashboards, **content)
    return render_page("home.html")


@web.get("/dashboards/<key>")
@login_required
def dashboard(key: str) -> tuple[str, int]:
    """One dashboard."""
    env = web_env()
    board = next((b for b in env.platform.dashboards if b.key == key), None)
    if board is None:
        abort(404)
    return render_page("dashboard.html", boards=env.platform.dashboards, **_visible(env, board))
