"""The Customers dashboard: KPIs and charts computed in SQL over what the user may read."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.declarations import Chart, Dashboard, Kpi
from core.env import Env
from core.records.grouping import count_by_month, group_by

__all__ = ["customers_dashboard"]


def _count(resource: str, domain: Any = None):  # type: ignore[no-untyped-def]
    return lambda env: env.records.count(resource, domain).value


def _touches_last_30_days(env: Env) -> int:
    since = (env.now() - timedelta(days=30)).isoformat()
    return env.records.count("interactions", [["occurred_at", ">=", since]]).value


def _consent_rate(env: Env) -> str:
    total = env.records.count("contacts").value
    consenting = env.records.count("contacts", [["consent_email", "=", True]]).value
    return f"{round(100 * consenting / total)} %" if total else "—"


def _by_channel(env: Env) -> dict[str, Any]:
    groups = group_by(env.records, "interactions", "channel")
    return {"labels": [g.value for g in groups], "series": [{"name": "Interactions", "data": [g.count for g in groups]}]}


def _last_months(env: Env, count: int) -> list[str]:
    year, month = env.now().year, env.now().month
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(labels))


def _per_month(env: Env) -> dict[str, Any]:
    labels = _last_months(env, 12)
    months = count_by_month(env.records, "interactions", "occurred_at", [["occurred_at", ">=", f"{labels[0]}-01"]])
    return {"labels": labels, "series": [{"name": "Interactions", "data": [months.get(m, 0) for m in labels]}]}


def _by_country(env: Env) -> dict[str, Any]:
    groups = [g for g in group_by(env.records, "contacts", "country") if g.value][:12]
    return {"labels": [g.value for g in groups], "series": [{"name": "Contacts", "data": [g.count for g in groups]}]}


def customers_dashboard() -> Dashboard:
    """KPI tiles and charts of the customer base."""
    return Dashboard("customers", "Customers", kpis=[
        Kpi("Accounts", _count("accounts"), "accounts", "/m/accounts"),
        Kpi("Contacts", _count("contacts"), "contacts", "/m/contacts"),
        Kpi("Interactions in the last 30 days", _touches_last_30_days, "interactions", "/m/interactions"),
        Kpi("Contacts consenting to email", _consent_rate, "contacts", "/m/contacts?f=Email+consent"),
    ], charts=[
        Chart("Interactions per month", "line", _per_month, "interactions"),
        Chart("Interactions by channel", "doughnut", _by_channel, "interactions"),
        Chart("Contacts by country", "bar", _by_country, "contacts"),
    ])
