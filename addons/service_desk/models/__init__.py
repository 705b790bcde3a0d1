"""The service desk's models, and the technical table that is not records."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table

from core.db import UtcDateTime, db

from addons.service_desk.models.kb import KbArticle, KbArticleVersion, KbCategory
from addons.service_desk.models.responses import CannedResponse, HelpdeskMacro
from addons.service_desk.models.sla import (
    BusinessCalendar, CalendarHoliday, CalendarTimeFrame, SlaEscalation, SlaPolicy, TicketSlaEvent,
)
from addons.service_desk.models.teams import HelpdeskSkill, HelpdeskTeam, HelpdeskTeamMember, TicketCategory
from addons.service_desk.models.tickets import Ticket, TicketAttachment, TicketMessage, TicketStatusChange

__all__ = [
    "MODELS", "ticket_viewers", "BusinessCalendar", "CalendarTimeFrame", "CalendarHoliday", "HelpdeskSkill",
    "HelpdeskTeam", "HelpdeskTeamMember", "TicketCategory", "SlaPolicy", "SlaEscalation", "Ticket", "TicketStatusChange",
    "TicketMessage", "TicketAttachment", "TicketSlaEvent", "KbCategory", "KbArticle", "KbArticleVersion",
    "CannedResponse", "HelpdeskMacro",
]

#: Every model of the addon, in the order they are registered.
MODELS = [
    BusinessCalendar, CalendarTimeFrame, CalendarHoliday, HelpdeskSkill, HelpdeskTeam, HelpdeskTeamMember, TicketCategory,
    SlaPolicy, SlaEscalation, Ticket, TicketStatusChange, TicketMessage, TicketAttachment, TicketSlaEvent,
    KbCategory, KbArticle, KbArticleVersion, CannedResponse, HelpdeskMacro,
]

#: Who has a ticket open right now (collision notice). Marks expire after a short time to
#: live, are refreshed every few seconds by the open page, and are not business records:
#: writing them through the records service would fill the audit trail with heartbeats.
ticket_viewers = Table(
    "ticket_viewers",
    db.metadata,
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("seen_at", UtcDateTime, nullable=False),
)
