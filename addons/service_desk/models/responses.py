"""Canned responses (reply templates with placeholders) and macros (several changes and a
reply in one action)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.records.errors import ValidationFailed

from addons.service_desk.models.tickets import PRIORITIES, STATUSES

__all__ = ["CannedResponse", "HelpdeskMacro", "ASSIGN_CHOICES"]

ASSIGN_CHOICES = [("me", "To me"), ("user", "To the user below"), ("nobody", "Unassign"), ("team", "By the team's method")]


class CannedResponse(Record):
    """A reply template; `{{ contact.first_name }}`, `{{ ticket.number }}`, `{{ agent.name }}`
    and the like are filled in when it is used (sandboxed Jinja2)."""

    __tablename__ = "canned_responses"
    __label__ = "Canned response"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    body: Mapped[str] = field(Text, label="Text", kind="longtext", required=True, searchable=True,
                              help="Placeholders: ticket.number, ticket.subject, ticket.status, contact.first_name, "
                                   "contact.full_name, account.name, agent.name.")
    team_id: Mapped[int | None] = field(ForeignKey("helpdesk_teams.id", ondelete="SET NULL"), label="Team",
                                        help="Left empty, offered to every team.")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse a template that does not parse, with the line of the error."""
        from addons.service_desk.templating import check_template

        check_template(self.body, "body")


class HelpdeskMacro(Record):
    """Field changes plus an optional reply or note, applied to a ticket in one action."""

    __tablename__ = "helpdesk_macros"
    __label__ = "Macro"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    description: Mapped[str | None] = field(Text, label="Description")
    set_status: Mapped[str | None] = field(String(20), label="Set status", choices=STATUSES)
    set_priority: Mapped[str | None] = field(String(10), label="Set priority", choices=PRIORITIES)
    set_team_id: Mapped[int | None] = field(ForeignKey("helpdesk_teams.id", ondelete="SET NULL"), label="Move to team")
    assign: Mapped[str | None] = field(String(10), label="Assign", choices=ASSIGN_CHOICES)
    assign_user_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="User to assign")
    add_tags: Mapped[str | None] = field(String(255), label="Add tags", help="Comma-separated.")
    canned_response_id: Mapped[int | None] = field(ForeignKey("canned_responses.id", ondelete="SET NULL"),
                                                   label="Reply with")
    reply_as_note: Mapped[bool] = field(Boolean, label="Post the reply as an internal note", default=False,
                                        nullable=False)
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)

    canned_response: Mapped[CannedResponse | None] = relationship(CannedResponse)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Assigning to "the user below" needs that user."""
        if self.assign == "user" and self.assign_user_id is None:
            raise ValidationFailed({"assign_user_id": ["Choose the user to assign to."]})
