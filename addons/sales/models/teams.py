"""Sales teams, their members (weight, capacity, territory) and monthly quotas."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.records.errors import ValidationFailed

__all__ = ["SalesTeam", "TeamMember", "SalesQuota", "split_list"]


def split_list(text: str | None) -> list[str]:
    """The non-empty, stripped, upper-cased items of a comma-separated setting."""
    return [part.strip().upper() for part in (text or "").split(",") if part.strip()]


class SalesTeam(Record):
    """A group of salespeople with a leader, a pipeline and monthly quotas."""

    __tablename__ = "sales_teams"
    __label__ = "Sales team"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True, unique=True)
    leader_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Leader", index=True)
    stale_after_days: Mapped[int] = field(
        Integer, label="Stale after (days)", default=14, nullable=False,
        validate=[validate.Range(min=1, error="Give a number of days of at least 1.")],
        help="An open opportunity with no activity for this many days gets a follow-up task for its owner.")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
    description: Mapped[str | None] = field(Text, label="Description")
    # For record rules such as "opportunities of my teams": ["team.members.user_id", "=", {"$user": "id"}].
    members: Mapped[list[TeamMember]] = relationship("TeamMember", viewonly=True,
                                                     primaryjoin="TeamMember.team_id == SalesTeam.id")
    leader: Mapped[User | None] = relationship(User, foreign_keys=[leader_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A team looks at least one day back before calling a deal stale."""
        if self.stale_after_days is not None and self.stale_after_days < 1:
            raise ValidationFailed({"stale_after_days": ["Give a number of days of at least 1."]})


class TeamMember(Record):
    """A salesperson in a team: how many leads they take (weight, maximum) and where."""

    __tablename__ = "sales_team_members"
    __label__ = "Team member"
    __display_field__ = "title"
    __order__ = ["team_id", "id"]
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    team_id: Mapped[int] = field(ForeignKey("sales_teams.id", ondelete="CASCADE"), label="Team", required=True,
                                 index=True)
    user_id: Mapped[int] = field(ForeignKey("users.id", ondelete="CASCADE"), label="Salesperson", required=True,
                                 index=True, assignee=False)
    weight: Mapped[int] = field(Integer, label="Weight", default=1, nullable=False,
                                help="Share of round-robin assignments: a weight of 2 gets twice the leads of 1.")
    max_open_leads: Mapped[int | None] = field(
        Integer, label="Maximum open leads",
        help="Skipped by assignment while this many leads are open for them. Empty: no limit.")
    countries: Mapped[str | None] = field(String(200), label="Countries",
                                          help="Territory: ISO country codes, comma-separated (FR, BE).")
    regions: Mapped[str | None] = field(String(300), label="Regions", help="Territory: region names, comma-separated.")
    postcodes: Mapped[str | None] = field(String(300), label="Postcode prefixes",
                                          help="Territory: postcode beginnings, comma-separated (75, 92).")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
    team: Mapped[SalesTeam] = relationship(SalesTeam, foreign_keys=[team_id])
    user: Mapped[User] = relationship(User, foreign_keys=[user_id])

    @property
    def title(self) -> str:
        """"Name (Team)"."""
        name = self.user.name if self.user is not None else f"user #{self.user_id}"
        return f"{name} ({self.team.name})" if self.team is not None else name

    @property
    def has_territory(self) -> bool:
        """Whether any territory is set (members without one take leads from anywhere)."""
        return bool(split_list(self.countries) or split_list(self.regions) or split_list(self.postcodes))

    def covers(self, country: str | None, region: str | None, postcode: str | None) -> bool:
        """Whether the territory includes this address; every part set must match."""
        countries, regions, prefixes = split_list(self.countries), split_list(self.regions), split_list(self.postcodes)
        if countries and (country or "").strip().upper() not in countries:
            return False
        if regions and (region or "").strip().upper() not in regions:
            return False
        if prefixes and not any((postcode or "").strip().upper().startswith(p) for p in prefixes):
            return False
        return bool(countries or regions or prefixes)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Weights are positive; limits are not negative; territories are normalized."""
        if self.id is None and self.weight is None:
            self.weight = 1  # the column default, needed before the insert
        errors: dict[str, list[str]] = {}
        if self.weight is None or self.weight < 1:
            errors["weight"] = ["Give a weight of at least 1 (set the member inactive to give them no leads)."]
        if self.max_open_leads is not None and self.max_open_leads < 0:
            errors["max_open_leads"] = ["Give 0 or more, or leave empty for no limit."]
        if errors:
            raise ValidationFailed(errors)
        for name in ("countries", "regions", "postcodes"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, ", ".join(split_list(value)) or None)


class SalesQuota(Record):
    """What a team should win in one month, in the company currency."""

    __tablename__ = "sales_quotas"
    __label__ = "Quota"
    __display_field__ = "title"
    __order__ = ["-month", "team_id"]
    __table_args__ = (UniqueConstraint("team_id", "month"),)

    team_id: Mapped[int] = field(ForeignKey("sales_teams.id", ondelete="CASCADE"), label="Team", required=True,
                                 index=True)
    month: Mapped[date] = field(Date, label="Month", required=True, index=True,
                                help="Any day of the month; stored as its first day.")
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Quota", kind="money", required=True,
                                    currency_setting="company_currency", help="In the company currency.")
    team: Mapped[SalesTeam] = relationship(SalesTeam, foreign_keys=[team_id])

    @property
    def title(self) -> str:
        """"Team 2026-01"."""
        team = self.team.name if self.team is not None else f"team #{self.team_id}"
        return f"{team} {self.month:%Y-%m}" if self.month else team

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A quota is for a whole month, and not negative."""
        if self.month is not None:
            self.month = self.month.replace(day=1)
        if self.amount is not None and self.amount < 0:
            raise ValidationFailed({"amount": ["A quota cannot be negative."]})
