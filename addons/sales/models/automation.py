"""Rules that run by themselves: lead assignment (with its log), lead scoring, forecast snapshots."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.domain import DomainError, validate_domain
from core.models.types import JsonType
from core.records.errors import ValidationFailed

from addons.sales.models.teams import SalesTeam

__all__ = ["AssignmentRule", "LeadAssignment", "ScoringRule", "ForecastSnapshot", "ASSIGNMENT_METHODS"]

ASSIGNMENT_METHODS = [("round_robin", "Weighted round-robin"), ("territory", "Territory, then round-robin"),
                      ("manual", "By hand")]


def _check_lead_domain(domain: Any, field_name: str = "domain") -> None:
    from addons.sales.models.leads import Lead

    try:
        validate_domain(Lead, domain)
    except DomainError as error:
        raise ValidationFailed({field_name: [str(error)]}) from None


class AssignmentRule(Record):
    """Which new leads go to which team, and how the team shares them."""

    __tablename__ = "lead_assignment_rules"
    __label__ = "Assignment rule"
    __display_field__ = "name"
    __order__ = ["sequence", "id"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    sequence: Mapped[int] = field(Integer, label="Order", default=10, nullable=False,
                                  help="Rules are tried from the lowest number; the first that matches assigns.")
    team_id: Mapped[int] = field(ForeignKey("sales_teams.id", ondelete="CASCADE"), label="Team", required=True)
    domain: Mapped[Any] = field(JsonType, label="Leads matched", default=list, nullable=False,
                                help='A filter on leads, such as [["country", "in", ["FR", "BE"]]]; [] matches all.')
    use_territory: Mapped[bool] = field(
        Boolean, label="By territory", default=False, nullable=False,
        help="Only members whose territory covers the lead's country, region and postcode take it.")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
    team: Mapped[SalesTeam] = relationship(SalesTeam, foreign_keys=[team_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """The filter must compile against leads."""
        _check_lead_domain(self.domain if self.domain is not None else [])


class LeadAssignment(Record):
    """One assignment of a lead: to whom, by which rule, why (the audit of assignment)."""

    __tablename__ = "lead_assignments"
    __label__ = "Lead assignment"
    __display_field__ = "reason"
    __order__ = ["-id"]
    __table_args__ = (Index("ix_lead_assignments_team_id", "team_id", "id"),)

    lead_id: Mapped[int] = field(ForeignKey("leads.id", ondelete="CASCADE"), label="Lead", required=True,
                                 index=True, readonly=True)
    team_id: Mapped[int | None] = field(ForeignKey("sales_teams.id", ondelete="SET NULL"), label="Team",
                                        readonly=True)
    member_id: Mapped[int | None] = field(ForeignKey("sales_team_members.id", ondelete="SET NULL"),
                                          label="Team member", readonly=True)
    # The log of an assignment: the lead itself tells its new owner.
    user_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Assigned to",
                                        readonly=True, index=True, assignee=False)
    rule_id: Mapped[int | None] = field(ForeignKey("lead_assignment_rules.id", ondelete="SET NULL"), label="Rule",
                                        readonly=True)
    method: Mapped[str] = field(String(20), label="Method", choices=ASSIGNMENT_METHODS, required=True,
                                readonly=True)
    reason: Mapped[str] = field(Text, label="Why", required=True, readonly=True)
    rotation: Mapped[dict[str, Any] | None] = field(
        JsonType, label="Round-robin state", readonly=True,
        help="Credit of each member after this assignment (smooth weighted round-robin).")


class ScoringRule(Record):
    """Points a lead earns when it matches a filter (field values, activities, email engagement)."""

    __tablename__ = "lead_scoring_rules"
    __label__ = "Scoring rule"
    __display_field__ = "name"
    __order__ = ["-points", "id"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    domain: Mapped[Any] = field(JsonType, label="Leads matched", required=True,
                                help='A filter on leads, such as [["emails_opened", ">=", 2]].')
    points: Mapped[int] = field(Integer, label="Points", required=True, help="Negative points lower the score.")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """The filter must compile against leads."""
        _check_lead_domain(self.domain)


class ForecastSnapshot(Record):
    """The open pipeline of a team for the month, as it stood when the month began.

    Taken by the `sales.forecast_snapshot` job once a month; the backtest compares the
    forecast these figures gave with what was then won.
    """

    __tablename__ = "forecast_snapshots"
    __label__ = "Forecast snapshot"
    __display_field__ = "month"
    __order__ = ["-month", "team_id"]

    month: Mapped[date] = field(Date, label="Month", required=True, index=True, readonly=True)
    team_id: Mapped[int | None] = field(ForeignKey("sales_teams.id", ondelete="CASCADE"), label="Team",
                                        readonly=True, index=True)
    taken_on: Mapped[date] = field(Date, label="Taken on", required=True, readonly=True)
    open_amount: Mapped[Decimal] = field(Numeric(24, 8), label="Open pipeline", kind="money", required=True,
                                         readonly=True, currency_setting="company_currency")
    weighted_amount: Mapped[Decimal] = field(Numeric(24, 8), label="Weighted pipeline", kind="money",
                                             required=True, readonly=True, currency_setting="company_currency")
    won_amount: Mapped[Decimal] = field(Numeric(24, 8), label="Won by then", kind="money", required=True,
                                        readonly=True, currency_setting="company_currency")
    deals: Mapped[int] = field(Integer, label="Open deals", required=True, readonly=True)
    note: Mapped[str | None] = field(String(200), label="Note", readonly=True)
    team: Mapped[SalesTeam | None] = relationship(SalesTeam, foreign_keys=[team_id])
