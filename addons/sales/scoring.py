"""Lead scoring: points of the scoring rules (one SQL query per batch, every rule a
column) plus the predicted chance of winning from the team's history; open deals get
the prediction too. Each record keeps the factors that drove its figures."""
from __future__ import annotations

import logging
from typing import Any, Iterable

from sqlalchemy import case

from core.db import db
from core.domain import DomainContext, DomainError, compile_domain
from core.env import Env

from addons.sales.bayes import Features, WinModel, train
from addons.sales.models import Lead, Opportunity, ScoringRule

__all__ = ["score_leads", "score_opportunities", "rule_points", "BATCH"]

log = logging.getLogger(__name__)
BATCH = 500
_SCORED_LEADS = ["new", "assigned", "in_process", "recycled"]


class _Models:
    """Win models trained once per team for one scoring run."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.cache: dict[int | None, WinModel | None] = {}
        self.names = {team.id: team.name for team in db.session.scalars(env.records.select("sales_teams"))}

    def of(self, team_id: int | None) -> WinModel | None:
        if team_id not in self.cache:
            self.cache[team_id] = train(self.env, team_id, self.names.get(team_id))
        return self.cache[team_id]


def _active_rules(env: Env) -> list[tuple[ScoringRule, Any]]:
    context = DomainContext(now=env.now(), fiscal_year_start_month=env.fiscal_year_start_month)
    compiled = []
    for rule in db.session.scalars(env.records.select("lead_scoring_rules", [["active", "=", True]])
                                   .order_by(ScoringRule.id)):
        try:
            compiled.append((rule, compile_domain(Lead, rule.domain, context)))
        except DomainError as error:
            log.warning("scoring rule %r (#%s) is skipped: %s", rule.name, rule.id, error)
    return compiled


def rule_points(env: Env, lead_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """{lead id: [{"name", "points"} of each rule it matches]} in one query."""
    rules = _active_rules(env)
    if not rules or not lead_ids:
        return {lead_id: [] for lead_id in lead_ids}
    statement = env.records.select("leads", [["id", "in", lead_ids]]).with_only_columns(
        Lead.id, *[case((condition, 1), else_=0) for _rule, condition in rules])
    matched: dict[int, list[dict[str, Any]]] = {}
    for row in db.session.execute(statement):
        matched[row[0]] = [{"name": rule.name, "points": rule.points}
                           for (rule, _condition), hit in zip(rules, row[1:]) if hit]
    return matched


def _batches(env: Env, resource: str, domain: Any, ids: Iterable[int] | None) -> Iterable[list[int]]:
    model = env.platform.models.get(resource)
    if ids is not None:
        wanted = sorted(set(ids))
        yield from (wanted[i:i + BATCH] for i in range(0, len(wanted), BATCH))
        return
    last = 0
    while True:
        statement = env.records.select(resource, [*domain, ["id", ">", last]]).with_only_columns(model.id)
        batch = list(db.session.scalars(statement.order_by(model.id).limit(BATCH)))
        if not batch:
            return
        yield batch
        last = batch[-1]


def _write(env: Env, resource: str, record: Any, values: dict[str, Any]) -> bool:
    changed = {key: value for key, value in values.items() if getattr(record, key) != value}
    if not changed:
        return False
    env.sudo().records.update(resource, record.id, {**changed, "scored_at": env.now().isoformat()})
    return True


def score_leads(env: Env, lead_ids: Iterable[int] | None = None) -> int:
    """Score open leads (or `lead_ids`); returns how many changed."""
    models = _Models(env)
    changed = 0
    for batch in _batches(env, "leads", [["status", "in", _SCORED_LEADS]], lead_ids):
        points = rule_points(env, batch)
        for lead in db.session.scalars(env.records.select("leads", [["id", "in", batch]]).order_by(Lead.id)):
            model = models.of(lead.team_id)
            rules = points.get(lead.id, [])
            factors: dict[str, Any] = {"rules": rules}
            probability = None
            if model is not None:
                probability, factors["prediction"] = model.predict(Features(
                    source=lead.source, country=lead.country, industry=lead.industry,
                    tags=[tag.name for tag in lead.tags]))
            else:
                factors["prediction"] = None
            score = sum(rule["points"] for rule in rules)
            changed += _write(env, "leads", lead, {"score": score, "predicted_probability": probability,
                                                   "score_factors": factors})
    return changed


def score_opportunities(env: Env, opportunity_ids: Iterable[int] | None = None) -> int:
    """Predict the chance of winning of open deals (or `opportunity_ids`); returns how many changed."""
    models = _Models(env)
    changed = 0
    for batch in _batches(env, "opportunities", [["status", "=", "open"]], opportunity_ids):
        for deal in db.session.scalars(env.records.select("opportunities", [["id", "in", batch]])
                                       .order_by(Opportunity.id)):
            model = models.of(deal.team_id)
            if model is None:
                probability, prediction = None, None
            else:
                account = deal.account
                probability, prediction = model.predict(Features(
                    stage_id=deal.stage_id, source=deal.source, country=deal.country or account.country,
                    industry=account.industry, tags=[tag.name for tag in deal.tags]))
            changed += _write(env, "opportunities", deal, {
                "predicted_probability": probability, "score_factors": {"prediction": prediction}})
    return changed

