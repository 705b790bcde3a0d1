"""A naive Bayes model of winning, learned in SQL from a team's won and lost deals.

Features: the pipeline stage (as "passed through this stage", since a deal at
Negotiation now is compared with closed deals that got at least that far), the source,
the country, the industry of the account and each tag. Counts come from SQL GROUP BYs
over the deals the acting environment may read; Laplace smoothing keeps unseen values
neutral. The prediction keeps the likelihood ratio of each feature: the factors that
drove it, shown beside the score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.models.tags import Tag

from addons.contacts.models import INDUSTRIES
from addons.sales.models.choices import SOURCES
from addons.sales.models.opportunities import opportunity_tags

__all__ = ["WinModel", "train", "MIN_HISTORY", "Features"]

#: Closed deals (with at least one won and one lost) needed before predicting.
MIN_HISTORY = 10
_LABELS = {"stage": "Stage", "source": "Source", "country": "Country", "industry": "Industry", "tag": "Tag"}
_FACTORS_KEPT = 6


@dataclass
class Features:
    """What a lead or deal looks like to the model (None: unknown, left out)."""

    stage_id: int | None = None
    source: str | None = None
    country: str | None = None
    industry: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class WinModel:
    """Class counts and per-feature counts of won and lost deals."""

    basis: str
    won: int
    lost: int
    counts: dict[tuple[str, str], list[int]]
    distinct: dict[str, int]
    stages: dict[int, tuple[str, list[int]]]

    def _ratio(self, won: int, lost: int, outcomes: int) -> float:
        return ((won + 1) / (self.won + outcomes)) / ((lost + 1) / (self.lost + outcomes))

    def predict(self, features: Features) -> tuple[Decimal, dict[str, Any]]:
        """(probability of winning in percent, the basis and the factors that drove it)."""
        log_odds = math.log(self.won / self.lost)
        factors: list[tuple[float, str, str]] = []

        def use(feature: str, value: str, label: str, ratio: float) -> None:
            nonlocal log_odds
            log_odds += math.log(ratio)
            factors.append((ratio, _LABELS[feature], label))

        if features.stage_id is not None and features.stage_id in self.stages:
            name, (won, lost) = self.stages[features.stage_id]
            use("stage", str(features.stage_id), f"reached {name}", self._ratio(won, lost, 2))
        labels = {"source": dict(SOURCES), "industry": dict(INDUSTRIES), "country": {}}
        for feature in ("source", "country", "industry"):
            value = getattr(features, feature)
            if value:
                won, lost = self.counts.get((feature, value), [0, 0])
                use(feature, value, labels[feature].get(value, value), self._ratio(won, lost, self.distinct[feature] + 1))
        for tag in features.tags:
            won, lost = self.counts.get(("tag", tag), [0, 0])
            use("tag", tag, tag, self._ratio(won, lost, 2))
        probability = 100 / (1 + math.exp(-max(min(log_odds, 50), -50)))
        factors.sort(key=lambda item: abs(math.log(item[0])), reverse=True)
        return Decimal(repr(probability)).quantize(Decimal("0.01"), ROUND_HALF_UP), {
            "basis": self.basis, "won": self.won, "lost": self.lost,
            "prior": round(100 * self.won / (self.won + self.lost), 1),
            "factors": [{"feature": feature, "value": value, "ratio": round(ratio, 2)}
                        for ratio, feature, value in factors[:_FACTORS_KEPT]],
        }


def _closed(env: Env, team_id: int | None) -> Any:
    domain: list[Any] = [["status", "in", ["won", "lost"]]]
    if team_id is not None:
        domain.append(["team_id", "=", team_id])
    return env.records.subquery("opportunities", domain)


def _count(statement: Any) -> dict[Any, list[int]]:
    counts: dict[Any, list[int]] = {}
    for status, value, number in db.session.execute(statement):
        if value is not None:
            counts.setdefault(value, [0, 0])[0 if status == "won" else 1] += int(number)
    return counts


def _fit(env: Env, team_id: int | None, basis: str) -> WinModel | None:
    deals = _closed(env, team_id)
    classes = dict(db.session.execute(select(deals.c.status, func.count()).group_by(deals.c.status)).all())
    won, lost = int(classes.get("won", 0)), int(classes.get("lost", 0))
    if won + lost < MIN_HISTORY or not won or not lost:
        return None
    accounts = env.records.subquery("accounts")
    joined = deals.outerjoin(accounts, accounts.c.id == deals.c.account_id)
    columns = {"source": deals.c.source, "country": func.coalesce(deals.c.country, accounts.c.country),
               "industry": accounts.c.industry}
    counts: dict[tuple[str, str], list[int]] = {}
    distinct: dict[str, int] = {}
    for feature, column in columns.items():
        found = _count(select(deals.c.status, column, func.count()).select_from(joined).group_by(deals.c.status, column))
        distinct[feature] = len(found)
        counts.update({(feature, str(value)): pair for value, pair in found.items()})
    tagged = deals.join(opportunity_tags, opportunity_tags.c.record_id == deals.c.id).join(
        Tag, Tag.id == opportunity_tags.c.tag_id)
    counts.update({("tag", name): pair for name, pair in _count(
        select(deals.c.status, Tag.name, func.count()).select_from(tagged).group_by(deals.c.status, Tag.name)).items()})
    stages = env.records.subquery("pipeline_stages", [["is_won", "=", False], ["is_lost", "=", False]])
    reached = env.records.subquery("pipeline_stages")
    passed = (select(deals.c.status, stages.c.id, func.count())
              .select_from(deals.join(reached, reached.c.id == deals.c.stage_reached_id))
              .join(stages, stages.c.sequence <= reached.c.sequence).group_by(deals.c.status, stages.c.id))
    names = dict(db.session.execute(select(stages.c.id, stages.c.name)).all())
    through = _count(passed)
    return WinModel(basis=basis, won=won, lost=lost, counts=counts, distinct=distinct,
                    stages={stage_id: (name, through.get(stage_id, [0, 0])) for stage_id, name in names.items()})


def train(env: Env, team_id: int | None, team_name: str | None) -> WinModel | None:
    """The model of one team's history; all teams' when the team has too little; None
    when even that is too little to learn from."""
    if team_id is not None:
        model = _fit(env, team_id, f"won and lost deals of team {team_name}")
        if model is not None:
            return model
    return _fit(env, None, "won and lost deals of all teams")
