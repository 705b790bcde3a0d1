"""Helpdesk teams, their members and skills, and ticket categories that route to them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import db

__all__ = ["HelpdeskSkill", "HelpdeskTeam", "HelpdeskTeamMember", "TicketCategory", "ASSIGNMENT_METHODS", "member_skills"]

ASSIGNMENT_METHODS = [
    ("manual", "Manual (team queue)"), ("round_robin", "Round-robin"),
    ("least_open", "Least open tickets"), ("skill_match", "Skill match, then least open"),
]

member_skills = Table(
    "team_member_skills",
    db.metadata,
    Column("member_id", ForeignKey("team_members.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("helpdesk_skills.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class HelpdeskSkill(Record):
    """Something an agent knows (a product, a language) and a ticket may need."""

    __tablename__ = "helpdesk_skills"
    __label__ = "Skill"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(80), label="Name", required=True, unique=True, searchable=True)


class HelpdeskTeam(Record):
    """A group of agents sharing a queue, with a way of assigning its tickets."""

    __tablename__ = "helpdesk_teams"
    __label__ = "Helpdesk team"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    email: Mapped[str | None] = field(String(255), label="Inbound address", kind="email", index=True,
                                      help="Mail sent to this address opens tickets for this team.")
    leader_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Leader",
                                          help="Notified when an escalation rule says so.")
    assignment_method: Mapped[str] = field(String(20), label="Assignment", choices=ASSIGNMENT_METHODS,
                                           default="least_open", nullable=False)
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
    description: Mapped[str | None] = field(Text, label="Description")

    leader: Mapped[User | None] = relationship(User, foreign_keys=[leader_id])
    members: Mapped[list[HelpdeskTeamMember]] = relationship("HelpdeskTeamMember", viewonly=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Inbound addresses are matched without regard to case."""
        if self.email:
            self.email = self.email.strip().lower()


class HelpdeskTeamMember(Record):
    """An agent in a team, with their skills and whether they take new tickets now."""

    __tablename__ = "team_members"
    __label__ = "Team member"
    __display_field__ = "agent_name"
    __order__ = ["team_id", "id"]
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_members_team_user"),)

    team_id: Mapped[int] = field(ForeignKey("helpdesk_teams.id", ondelete="CASCADE"), label="Team", required=True,
                                 index=True)
    user_id: Mapped[int] = field(ForeignKey("users.id", ondelete="CASCADE"), label="Agent", required=True, index=True,
                                 assignee=False)
    available: Mapped[bool] = field(Boolean, label="Available", default=True, nullable=False,
                                    help="Unavailable agents (away, off shift) get no new tickets automatically.")
    max_open_tickets: Mapped[int | None] = field(Integer, label="Most open tickets",
                                                 help="Left empty, no limit.")
    skills: Mapped[list[HelpdeskSkill]] = relationship(HelpdeskSkill, secondary=member_skills,
                                                       info={"label": "Skills"})

    team: Mapped[HelpdeskTeam] = relationship(HelpdeskTeam, foreign_keys=[team_id])
    user: Mapped[User] = relationship(User, foreign_keys=[user_id])

    @property
    def agent_name(self) -> str:
        """The agent's name."""
        return self.user.name if self.user is not None else f"user #{self.user_id}"


class TicketCategory(Record):
    """What a ticket is about; routes it to a team and may need a skill."""

    __tablename__ = "ticket_categories"
    __label__ = "Ticket category"
    __label_plural__ = "Ticket categories"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, unique=True, searchable=True)
    team_id: Mapped[int | None] = field(ForeignKey("helpdesk_teams.id", ondelete="SET NULL"), label="Team",
                                        help="New tickets of this category without a team go to this one.")
    skill_id: Mapped[int | None] = field(ForeignKey("helpdesk_skills.id", ondelete="SET NULL"), label="Needs skill")

    team: Mapped[HelpdeskTeam | None] = relationship(HelpdeskTeam)
    skill: Mapped[HelpdeskSkill | None] = relationship(HelpdeskSkill)
