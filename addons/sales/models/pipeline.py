"""Pipeline stages (shared or per team, ordered, with a default probability) and lost reasons."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import db
from core.records.errors import ValidationFailed

from addons.sales.models.teams import SalesTeam

__all__ = ["PipelineStage", "LostReason", "FORECAST_CATEGORIES", "PERCENTAGE", "first_open_stage", "outcome_stage"]

#: What a probability field takes.
PERCENTAGE = validate.Range(0, 100, error="Give a percentage between 0 and 100.")

FORECAST_CATEGORIES = [
    ("pipeline", "Pipeline"), ("best_case", "Best case"), ("commit", "Commit"),
    ("closed", "Closed"), ("omitted", "Omitted"),
]


class PipelineStage(Record):
    """A step of the pipeline. Stages without a team are shared by every team."""

    __tablename__ = "pipeline_stages"
    __label__ = "Pipeline stage"
    __display_field__ = "name"
    __order__ = ["sequence", "id"]

    name: Mapped[str] = field(String(80), label="Name", required=True, searchable=True)
    sequence: Mapped[int] = field(Integer, label="Order", default=10, nullable=False,
                                  help="Stages are shown from the lowest number to the highest.")
    team_id: Mapped[int | None] = field(ForeignKey("sales_teams.id", ondelete="CASCADE"), label="Team", index=True,
                                        help="Only this team's opportunities use the stage. Empty: every team.")
    probability: Mapped[Decimal] = field(Numeric(5, 2), label="Probability (%)", validate=[PERCENTAGE], default=Decimal(10), nullable=False,
                                         help="Filled into an opportunity moved here, unless set by hand.")
    forecast_category: Mapped[str] = field(String(20), label="Forecast category", choices=FORECAST_CATEGORIES,
                                           default="pipeline", nullable=False)
    is_won: Mapped[bool] = field(Boolean, label="Won stage", default=False, nullable=False)
    is_lost: Mapped[bool] = field(Boolean, label="Lost stage", default=False, nullable=False)
    description: Mapped[str | None] = field(Text, label="Description", help="What must be true to enter this stage.")
    team: Mapped[SalesTeam | None] = relationship(SalesTeam, foreign_keys=[team_id])

    @property
    def outcome(self) -> str:
        """"won", "lost" or "open"."""
        return "won" if self.is_won else ("lost" if self.is_lost else "open")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Won and lost stages have fixed probabilities and categories."""
        if self.is_won and self.is_lost:
            raise ValidationFailed({"is_lost": ["A stage is won or lost, not both."]})
        if self.probability is not None and not Decimal(0) <= Decimal(self.probability) <= Decimal(100):
            raise ValidationFailed({"probability": ["Give a percentage between 0 and 100."]})
        if self.is_won:
            self.probability, self.forecast_category = Decimal(100), "closed"
        elif self.is_lost:
            self.probability, self.forecast_category = Decimal(0), "omitted"
        elif self.forecast_category == "closed":
            raise ValidationFailed({"forecast_category": ["Only won stages are in the closed category."]})


def _stages_of(env: Any, team_id: int | None, flags: list[Any]) -> Any:
    """The stages a team's opportunities may use (shared or the team's own), as a SELECT."""
    shared_or_own = {"or": [["team_id", "is null", None], ["team_id", "=", team_id]]}
    return env.sudo().records.select("pipeline_stages", [shared_or_own, *flags])


def first_open_stage(env: Any, team_id: int | None) -> PipelineStage | None:
    """Where a new opportunity of the team starts: its lowest open stage."""
    statement = _stages_of(env, team_id, [["is_won", "=", False], ["is_lost", "=", False]])
    with db.session.no_autoflush:
        return db.session.scalar(statement.order_by(PipelineStage.sequence, PipelineStage.id).limit(1))


def outcome_stage(env: Any, team_id: int | None, outcome: str) -> PipelineStage | None:
    """The team's won (or lost) stage: its own if it has one, else the shared one."""
    statement = _stages_of(env, team_id, [["is_won" if outcome == "won" else "is_lost", "=", True]])
    with db.session.no_autoflush:
        return db.session.scalar(statement.order_by(PipelineStage.team_id.is_(None), PipelineStage.sequence,
                                                    PipelineStage.id).limit(1))


class LostReason(Record):
    """Why deals are lost (price, competitor, no budget...), for the win/loss analysis."""

    __tablename__ = "lost_reasons"
    __label__ = "Lost reason"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True, unique=True)
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
