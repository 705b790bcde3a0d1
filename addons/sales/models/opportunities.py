"""Opportunities (deals in the pipeline) and the contacts involved with their buying role."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime, db
from core.models.tags import Tag, tag_table
from core.models.types import JsonType
from core.records.errors import ValidationFailed

from addons.contacts.models import Account, Contact
from addons.sales.models.choices import BUYING_ROLES, OPPORTUNITY_STATUSES, SOURCES
from addons.sales.models.currency import CURRENCY_CODE, company_currency, normalize_currency, rate_to_company
from addons.sales.models.pipeline import (FORECAST_CATEGORIES, PERCENTAGE, LostReason, PipelineStage,
                                          first_open_stage)
from addons.sales.models.teams import SalesTeam

__all__ = ["Opportunity", "OpportunityContact", "opportunity_tags"]

opportunity_tags = tag_table("opportunity_tags", "opportunities")
_HUNDRED = Decimal(100)


class Opportunity(Record):
    """A deal: an account, an amount in a currency, a stage with a probability, a close date."""

    __tablename__ = "opportunities"
    __label__ = "Opportunity"
    __label_plural__ = "Opportunities"
    __display_field__ = "name"
    __order__ = ["close_date", "-id"]
    __sort_scopes__ = ("owner_id", "team_id", "stage_id")  # stage: a column of the board
    __table_args__ = (
        Index("ix_opportunities_status_close", "status", "close_date"),
        Index("ix_opportunities_status_closed", "status", "closed_on"),
    )

    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True, sortable=True)
    account_id: Mapped[int] = field(ForeignKey("accounts.id", ondelete="RESTRICT"), label="Account", required=True,
                                    index=True)
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Main contact",
                                           index=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_field="currency", sortable=True,
                                    currency_setting="company_currency",
                                    default=Decimal(0), nullable=False)
    currency: Mapped[str | None] = field(String(3), label="Currency", validate=[CURRENCY_CODE],
                                         help="ISO code; empty means the company currency.")
    stage_id: Mapped[int | None] = field(ForeignKey("pipeline_stages.id", ondelete="RESTRICT"), label="Stage",
                                         help="Empty: the first stage of the team's pipeline.")
    probability: Mapped[Decimal | None] = field(
        Numeric(5, 2), label="Probability (%)", validate=[PERCENTAGE],
        help="Filled from the stage unless you set it by hand; clear it to follow the stage again.")
    forecast_category: Mapped[str | None] = field(String(20), label="Forecast category", choices=FORECAST_CATEGORIES,
                                                  help="Filled from the stage unless you set it by hand.")
    close_date: Mapped[date | None] = field(Date, label="Expected close")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner",
                                         help="Empty: whoever creates it.")
    team_id: Mapped[int | None] = field(ForeignKey("sales_teams.id", ondelete="SET NULL"), label="Team")
    lost_reason_id: Mapped[int | None] = field(ForeignKey("lost_reasons.id", ondelete="SET NULL"),
                                               label="Lost reason")
    lost_note: Mapped[str | None] = field(Text, label="Why it was lost")
    source: Mapped[str | None] = field(String(30), label="Source", choices=SOURCES, index=True)
    utm_campaign: Mapped[str | None] = field(String(120), label="Campaign", index=True)
    utm_medium: Mapped[str | None] = field(String(120), label="Medium")
    utm_source: Mapped[str | None] = field(String(120), label="UTM source")
    street: Mapped[str | None] = field(String(200), label="Street")
    city: Mapped[str | None] = field(String(100), label="City")
    postcode: Mapped[str | None] = field(String(20), label="Postcode")
    region: Mapped[str | None] = field(String(100), label="Region")
    country: Mapped[str | None] = field(String(2), label="Country", help="ISO 3166 two-letter code.")
    opened_on: Mapped[date | None] = field(Date, label="Opened on", help="Empty: the day it is created.")
    closed_on: Mapped[date | None] = field(Date, label="Closed on", index=True,
                                           help="Set when the deal is won or lost (give it to import history).")
    notes: Mapped[str | None] = field(Text, label="Notes", sensitive=True,
                                      help="Internal: read by the sales roles only, never by partners or customers.")
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=opportunity_tags, info={"label": "Tags"})
    # Derived by before_save, jobs and activities; read-only for users.
    status: Mapped[str] = field(String(10), label="Status", choices=OPPORTUNITY_STATUSES, default="open",
                                nullable=False, readonly=True, index=True)
    probability_manual: Mapped[bool] = field(Boolean, label="Probability set by hand", default=False,
                                             nullable=False, readonly=True)
    category_manual: Mapped[bool] = field(Boolean, label="Category set by hand", default=False, nullable=False,
                                          readonly=True)
    stage_reached_id: Mapped[int | None] = field(ForeignKey("pipeline_stages.id", ondelete="SET NULL"),
                                                 label="Furthest stage reached", readonly=True)
    exchange_rate: Mapped[Decimal | None] = field(Numeric(18, 8), label="Exchange rate", readonly=True)
    amount_company: Mapped[Decimal | None] = field(Numeric(24, 8), label="Amount (company currency)", kind="money",
                                                   readonly=True, index=True, currency_setting="company_currency")
    weighted_amount: Mapped[Decimal | None] = field(Numeric(24, 8), label="Weighted amount", kind="money",
                                                    readonly=True, index=True, currency_setting="company_currency",
                                                    help="Amount x probability, in the company currency.")
    last_activity_at: Mapped[datetime | None] = field(UtcDateTime, label="Last activity", readonly=True, index=True)
    next_activity_id: Mapped[int | None] = field(ForeignKey("activities.id", ondelete="SET NULL"),
                                                 label="Next activity", readonly=True)
    next_activity_at: Mapped[datetime | None] = field(UtcDateTime, label="Next activity due", readonly=True)
    predicted_probability: Mapped[Decimal | None] = field(Numeric(5, 2), label="Predicted win chance (%)",
                                                          readonly=True)
    score_factors: Mapped[dict[str, Any] | None] = field(JsonType, label="Scoring factors", readonly=True)
    scored_at: Mapped[datetime | None] = field(UtcDateTime, label="Scored", readonly=True)

    account: Mapped[Account] = relationship(Account, foreign_keys=[account_id])
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])
    stage: Mapped[PipelineStage | None] = relationship(PipelineStage, foreign_keys=[stage_id])
    team: Mapped[SalesTeam | None] = relationship(SalesTeam, foreign_keys=[team_id])
    owner: Mapped[User | None] = relationship(User, foreign_keys=[owner_id])
    lost_reason: Mapped[LostReason | None] = relationship(LostReason, foreign_keys=[lost_reason_id])
    stage_reached: Mapped[PipelineStage | None] = relationship(PipelineStage, foreign_keys=[stage_reached_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Keep the stage, probability, category, status, close date and amounts consistent."""
        creating = self.id is None
        if creating and self.owner_id is None and env.user is not None:
            self.owner_id = env.user.id  # a deal someone opens is theirs until given to another
        self.currency = normalize_currency(self.currency) or company_currency(env)
        today = env.now().date()
        if self.opened_on is None:
            self.opened_on = today
        if self.last_activity_at is None:
            self.last_activity_at = env.now()
        stage = self._settle_stage(env, creating or "stage_id" in changed or "team_id" in changed)
        stage_moved = creating or "stage_id" in changed
        self._fill_from_stage(stage, stage_moved, changed)
        self._settle_status(stage, changed, today)
        self._convert_amounts(env, today)

    def _settle_stage(self, env: Any, check: bool) -> PipelineStage:
        if self.stage_id is None:
            first = first_open_stage(env, self.team_id)
            if first is None:
                raise ValidationFailed({"stage_id": ["No pipeline stage exists: add one under Sales > Stages."]})
            self.stage_id = first.id
        with db.session.no_autoflush:
            stage = db.session.get(PipelineStage, self.stage_id)
        if stage is None:
            raise ValidationFailed({"stage_id": [f"No pipeline stage #{self.stage_id}."]})
        if check and stage.team_id is not None and stage.team_id != self.team_id:
            raise ValidationFailed({"stage_id": [f"The stage {stage.name!r} belongs to another team's pipeline."]})
        return stage

    def _fill_from_stage(self, stage: PipelineStage, stage_moved: bool, changed: set[str]) -> None:
        if "probability" in changed:
            self.probability_manual = self.probability is not None
        if "forecast_category" in changed:
            self.category_manual = self.forecast_category is not None
        if stage.is_won or stage.is_lost:
            self.probability, self.forecast_category = Decimal(stage.probability), stage.forecast_category
            return
        if self.probability is None or (stage_moved and not self.probability_manual):
            self.probability = Decimal(stage.probability)
        if self.forecast_category is None or (stage_moved and not self.category_manual):
            self.forecast_category = stage.forecast_category
        if not Decimal(0) <= Decimal(self.probability) <= _HUNDRED:
            raise ValidationFailed({"probability": ["Give a percentage between 0 and 100."]})
        if self.forecast_category == "closed":
            raise ValidationFailed({"forecast_category": ["An open deal is not closed: move it to a won stage."]})
        with db.session.no_autoflush:
            reached = db.session.get(PipelineStage, self.stage_reached_id) if self.stage_reached_id else None
        if reached is None or (reached.sequence, reached.id) < (stage.sequence, stage.id):
            self.stage_reached_id = stage.id

    def _settle_status(self, stage: PipelineStage, changed: set[str], today: date) -> None:
        outcome = stage.outcome
        if outcome == "open":
            self.closed_on = None
            self.lost_reason_id = None
        elif outcome != self.status or self.closed_on is None:
            if "closed_on" not in changed or self.closed_on is None:
                self.closed_on = today
        if outcome == "lost" and self.lost_reason_id is None:
            raise ValidationFailed({"lost_reason_id": ["Say why the deal was lost: choose a lost reason."]})
        self.status = outcome

    def _convert_amounts(self, env: Any, today: date) -> None:
        if self.amount is None and self.id is None:
            self.amount = Decimal(0)  # the column default, needed before the insert
        if self.amount is None or Decimal(self.amount) < 0:
            raise ValidationFailed({"amount": ["Give an amount of 0 or more."]})
        self.exchange_rate, self.amount_company, self.weighted_amount = self.company_amounts(env, today).values()

    def company_amounts(self, env: Any, today: date) -> dict[str, Decimal]:
        """The exchange rate, amount and weighted amount in the company currency, unrounded
        (so totals are rounded once, on the total). Closed deals keep the rate of the day
        they closed; open ones use today's."""
        on = self.closed_on if self.status in ("won", "lost") and self.closed_on else today
        currency = self.currency or company_currency(env)
        rate = rate_to_company(env, currency, on)
        if rate is None:
            raise ValidationFailed({"currency": [
                f"No exchange rate from {currency} to {company_currency(env)} on {on}: "
                "add one under Sales settings > Exchange rates."]})
        amount = Decimal(self.amount) * rate
        return {"exchange_rate": rate, "amount_company": amount,
                "weighted_amount": amount * Decimal(self.probability or 0) / _HUNDRED}


class OpportunityContact(Record):
    """A person involved in a deal, with their role in the buying decision."""

    __tablename__ = "opportunity_contacts"
    __label__ = "Opportunity contact"
    __display_field__ = "title"
    __order__ = ["opportunity_id", "id"]
    __table_args__ = (UniqueConstraint("opportunity_id", "contact_id"),)

    opportunity_id: Mapped[int] = field(ForeignKey("opportunities.id", ondelete="CASCADE"), label="Opportunity",
                                        required=True, index=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    index=True)
    role: Mapped[str | None] = field(String(20), label="Buying role", choices=BUYING_ROLES)
    note: Mapped[str | None] = field(Text, label="Note")
    opportunity: Mapped[Opportunity] = relationship(Opportunity, foreign_keys=[opportunity_id])
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])

    @property
    def title(self) -> str:
        """"Jane Doe (Decision maker)"."""
        name = self.contact.full_name if self.contact is not None else f"contact #{self.contact_id}"
        role = dict(BUYING_ROLES).get(self.role or "", "")
        return f"{name} ({role})" if role else name
