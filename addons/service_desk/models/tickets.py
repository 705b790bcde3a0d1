"""Tickets, their status history, messages (replies and internal notes) and attachments."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, and_, case, inspect
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime, db
from core.models.read_time import ReadTime
from core.models.tags import Tag, tag_table
from core.records.errors import ValidationFailed
from core.web.downloads import clean_filename

from addons.contacts.models import Account, Contact

__all__ = ["Ticket", "TicketStatusChange", "TicketMessage", "TicketAttachment",
           "STATUSES", "OPEN_STATUSES", "DONE_STATUSES", "CHANNELS", "PRIORITIES", "SLA_STATES", "ticket_tags",
           "sla_status_now"]

STATUSES = [
    ("new", "New"), ("open", "Open"), ("pending_customer", "Pending customer"),
    ("pending_third_party", "Pending third party"), ("on_hold", "On hold"), ("solved", "Solved"), ("closed", "Closed"),
]
#: Statuses of a ticket somebody still has to work on or wait for.
OPEN_STATUSES = ("new", "open", "pending_customer", "pending_third_party", "on_hold")
#: Statuses that stop every clock: the work is done.
DONE_STATUSES = ("solved", "closed")
CHANNELS = [("email", "Email"), ("portal", "Portal"), ("phone", "Phone"), ("chat", "Chat"),
            ("web_form", "Web form"), ("api", "API")]
PRIORITIES = [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")]
SLA_STATES = [("on_track", "On track"), ("warning", "Warning"), ("breached", "Breached"), ("paused", "Paused"),
              ("met", "Met")]
DIRECTIONS = [("inbound", "From the customer"), ("outbound", "To the customer"), ("internal", "Internal note")]

ticket_tags = tag_table("ticket_tags", "tickets")


def _previous(record: Any, name: str) -> Any:
    """The value `name` had when the record was loaded (None on create)."""
    deleted = inspect(record).attrs[name].history.deleted
    return deleted[0] if deleted else None


#: The stored SLA states that the passing of time changes.
_TURNING = ("on_track", "warning")


def _sla_status_sql(columns: Any, now: datetime) -> Any:
    """`sla_status_now` in SQL, over the stored columns (for filters and groups)."""
    status, check, due = columns.sla_status, columns.sla_check_at, columns.sla_next_due_at
    return case((and_(status.in_(_TURNING), check <= now, due <= now), "breached"),
                (and_(status == "on_track", check <= now), "warning"), else_=status)


def sla_status_now(ticket: Any, now: datetime) -> str | None:
    """The ticket's SLA state at `now`: the state last stored (addons.service_desk.sla), moved
    on by the time passed since. Once the next check has come (the sweep may not have run
    yet), an active target past its due time is breached, else a warning is due."""
    status, check, due = ticket.sla_status, ticket.sla_check_at, ticket.sla_next_due_at
    if status in _TURNING and check is not None and check <= now:
        if due is not None and due <= now:
            return "breached"
        if status == "on_track":
            return "warning"
    return status


class Ticket(Record):
    """A customer's request, worked on by a team under an SLA policy."""

    __tablename__ = "tickets"
    #: The SLA state a reader gets is the state now, not when the sweep last ran.
    __read_time__ = {"sla_status": ReadTime(sql=_sla_status_sql, value=sla_status_now)}
    __label__ = "Ticket"
    __display_field__ = "reference"
    __order__ = ["-opened_at", "-id"]
    __sort_scopes__ = ("assignee_id", "team_id", "status")  # status: a column of the board
    __table_args__ = (
        Index("ix_tickets_status_assignee", "status", "assignee_id"),
        Index("ix_tickets_team_status", "team_id", "status"),
    )

    number: Mapped[str | None] = field(String(20), label="Number", unique=True, readonly=True, searchable=True)
    subject: Mapped[str] = field(String(300), label="Subject", required=True, searchable=True)
    description: Mapped[str | None] = field(Text, label="Description")
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Customer",
                                           index=True)
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="SET NULL"), label="Account", index=True,
                                           help="Left empty, the customer's account.")
    channel: Mapped[str] = field(String(20), label="Channel", choices=CHANNELS, default="api", nullable=False)
    priority: Mapped[str] = field(String(10), label="Priority", choices=PRIORITIES, default="normal", nullable=False)
    category_id: Mapped[int | None] = field(ForeignKey("ticket_categories.id", ondelete="SET NULL"), label="Category")
    team_id: Mapped[int | None] = field(ForeignKey("helpdesk_teams.id", ondelete="SET NULL"), label="Team")
    assignee_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Assignee")
    assigned_at: Mapped[datetime | None] = field(UtcDateTime, label="Assigned at", readonly=True)
    status: Mapped[str] = field(String(20), label="Status", choices=STATUSES, default="new", nullable=False,
                                index=True)
    opened_at: Mapped[datetime | None] = field(UtcDateTime, label="Opened", index=True,
                                               help="Left empty, now; give it when importing older tickets.")
    sla_policy_id: Mapped[int | None] = field(ForeignKey("sla_policies.id", ondelete="SET NULL"), label="SLA policy",
                                              readonly=True)
    first_response_due_at: Mapped[datetime | None] = field(UtcDateTime, label="First response due", readonly=True)
    next_update_due_at: Mapped[datetime | None] = field(UtcDateTime, label="Next update due", readonly=True)
    resolution_due_at: Mapped[datetime | None] = field(UtcDateTime, label="Resolution due", readonly=True)
    sla_status: Mapped[str | None] = field(String(10), label="SLA", choices=SLA_STATES, readonly=True)
    sla_next_due_at: Mapped[datetime | None] = field(UtcDateTime, label="Next due", readonly=True, sortable=True,
                                                     help="The earliest due time of a target not met yet.")
    sla_check_at: Mapped[datetime | None] = field(UtcDateTime, label="Next SLA check", readonly=True, index=True,
                                                  help="When the SLA check looks at this ticket next.")
    first_response_at: Mapped[datetime | None] = field(UtcDateTime, label="First response", readonly=True)
    resolved_at: Mapped[datetime | None] = field(UtcDateTime, label="Solved at", readonly=True)
    closed_at: Mapped[datetime | None] = field(UtcDateTime, label="Closed at", readonly=True)
    last_customer_message_at: Mapped[datetime | None] = field(UtcDateTime, label="Customer wrote", readonly=True)
    last_agent_reply_at: Mapped[datetime | None] = field(UtcDateTime, label="Last reply", readonly=True)
    csat_rating: Mapped[int | None] = field(Integer, label="Satisfaction (1-5)",
                                            help="Given by the customer once the ticket is solved.")
    csat_comment: Mapped[str | None] = field(Text, label="Satisfaction comment")
    csat_at: Mapped[datetime | None] = field(UtcDateTime, label="Rated at", readonly=True)
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=ticket_tags, info={"label": "Tags"})

    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])
    account: Mapped[Account | None] = relationship(Account, foreign_keys=[account_id])
    assignee: Mapped[User | None] = relationship(User, foreign_keys=[assignee_id])
    team: Mapped[Any] = relationship("HelpdeskTeam", foreign_keys=[team_id])
    category: Mapped[Any] = relationship("TicketCategory", foreign_keys=[category_id])
    sla_policy: Mapped[Any] = relationship("SlaPolicy", foreign_keys=[sla_policy_id])

    @property
    def reference(self) -> str:
        """"[SD-000042] Printer on fire"."""
        return f"[{self.number}] {self.subject}" if self.number else (self.subject or "")

    @property
    def is_open(self) -> bool:
        """Whether work on the ticket is still to be done."""
        return self.status in OPEN_STATUSES

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Opening time, the account of the customer, status and assignment stamps, CSAT rules."""
        now = env.now()
        creating = self.id is None
        errors: dict[str, list[str]] = {}
        if not creating and "opened_at" in changed:
            errors["opened_at"] = ["Set when the ticket is opened; it cannot change afterwards."]
        if self.opened_at is None:
            self.opened_at = now
        elif creating and self.opened_at > now:
            errors["opened_at"] = ["A ticket cannot be opened in the future."]
        if self.contact_id is not None and self.account_id is None and "contact_id" in changed:
            with db.session.no_autoflush:
                self.account_id = env.sudo().records.get("contacts", self.contact_id).account_id
        if "status" in changed:
            self._status_changed(_previous(self, "status"), now, errors)
        if "assignee_id" in changed:
            self.assigned_at = now if self.assignee_id is not None else None
        if "csat_rating" in changed or "csat_comment" in changed:
            self._rated(env, now, errors)
        if errors:
            raise ValidationFailed(errors)

    def _status_changed(self, previous: str | None, now: datetime, errors: dict[str, list[str]]) -> None:
        if previous == "closed":
            errors["status"] = ["A closed ticket cannot be reopened; open a new ticket that refers to it."]
            return
        if self.status in DONE_STATUSES:
            self.resolved_at = self.resolved_at or now
            if self.status == "closed":
                self.closed_at = now
        else:
            self.resolved_at = None

    def _rated(self, env: Any, now: datetime, errors: dict[str, list[str]]) -> None:
        if env.user is not None and env.user.kind == "internal" and not env.system_mode:
            errors["csat_rating"] = ["Only the customer rates the resolution (through the portal or the rate action)."]
        elif self.status not in DONE_STATUSES:
            errors["csat_rating"] = ["The resolution can be rated once the ticket is solved."]
        elif self.csat_rating is not None and not 1 <= self.csat_rating <= 5:
            errors["csat_rating"] = ["Give a rating from 1 (very unhappy) to 5 (very happy)."]
        else:
            self.csat_at = now


class TicketStatusChange(Record):
    """One status a ticket entered, and when: the source of SLA pauses."""

    __tablename__ = "ticket_status_history"
    __label__ = "Ticket status change"
    __display_field__ = "status"
    __order__ = ["ticket_id", "changed_at", "id"]
    __table_args__ = (Index("ix_ticket_status_history_ticket_time", "ticket_id", "changed_at"),)

    ticket_id: Mapped[int] = field(ForeignKey("tickets.id", ondelete="CASCADE"), label="Ticket", required=True)
    status: Mapped[str] = field(String(20), label="Status", choices=STATUSES, required=True)
    previous_status: Mapped[str | None] = field(String(20), label="From", choices=STATUSES)
    changed_at: Mapped[datetime] = field(UtcDateTime, label="At", required=True)

    ticket: Mapped[Ticket] = relationship(Ticket)


class TicketMessage(Record):
    """A public reply (from the customer or to them) or an internal note on a ticket."""

    __tablename__ = "ticket_messages"
    __label__ = "Ticket message"
    __display_field__ = "summary"
    __order__ = ["ticket_id", "sent_at", "id"]
    __table_args__ = (Index("ix_ticket_messages_ticket_time", "ticket_id", "sent_at"),)

    ticket_id: Mapped[int] = field(ForeignKey("tickets.id", ondelete="CASCADE"), label="Ticket", required=True)
    internal: Mapped[bool] = field(Boolean, label="Internal note", default=False, nullable=False,
                                   help="Seen by agents only, never by the customer.")
    direction: Mapped[str | None] = field(String(10), label="Direction", choices=DIRECTIONS,
                                          help="Left empty: from an agent, to the customer; from a portal user, "
                                               "from the customer.")
    body: Mapped[str] = field(Text, label="Message", kind="longtext", required=True, searchable=True)
    author_user_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="By (agent)",
                                               readonly=True)
    author_contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"),
                                                  label="By (customer)")
    channel: Mapped[str | None] = field(String(20), label="Channel", choices=CHANNELS)
    sent_at: Mapped[datetime | None] = field(UtcDateTime, label="Sent", readonly=True)
    parent_id: Mapped[int | None] = field(ForeignKey("ticket_messages.id", ondelete="SET NULL"), label="In reply to")
    email_message_id: Mapped[str | None] = field(String(998), label="Message-ID", index=True)
    in_reply_to: Mapped[str | None] = field(String(998), label="In-Reply-To")
    # One mail header: a single line however many message ids it names.
    references: Mapped[str | None] = field(Text, label="References", kind="text")
    interaction_id: Mapped[int | None] = field(ForeignKey("interactions.id", ondelete="SET NULL"),
                                               label="Timeline entry", readonly=True)

    ticket: Mapped[Ticket] = relationship(Ticket)
    author_user: Mapped[User | None] = relationship(User, foreign_keys=[author_user_id])
    author_contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[author_contact_id])

    @property
    def summary(self) -> str:
        """The first words of the message."""
        text = " ".join((self.body or "").split())
        return text[:80] + ("…" if len(text) > 80 else "")

    @property
    def author_name(self) -> str:
        """Who wrote it, as people read it."""
        if self.author_user is not None:
            return self.author_user.name
        if self.author_contact is not None:
            return self.author_contact.full_name
        return "Customer" if self.direction == "inbound" else "System"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Messages are written once; who wrote it and which way it goes follow from the author."""
        if self.id is not None:
            raise ValidationFailed({"body": ["A message cannot be changed once posted; post another one."]})
        user = env.user
        if self.internal:
            self.direction = "internal"
        elif self.direction is None:
            self.direction = "outbound" if user is not None and user.kind == "internal" else "inbound"
        elif self.direction == "internal":
            raise ValidationFailed({"direction": ["Mark the message as an internal note instead."]})
        with db.session.no_autoflush:
            ticket = env.sudo().records.get("tickets", self.ticket_id)
        if self.direction == "inbound":
            self.author_contact_id = self.author_contact_id or ticket.contact_id
        elif user is not None and user.kind == "internal":
            self.author_user_id = user.id
        self.channel = self.channel or ticket.channel
        self.sent_at = env.now()


class TicketAttachment(Record):
    """A file attached to a ticket (and to the message that brought it).

    The bytes live in the platform's blob store (core.storage, see
    `addons.service_desk.attachments`): `sha256` names them, so the same file sent twice
    is stored once."""

    __tablename__ = "ticket_attachments"
    __label__ = "Attachment"
    __display_field__ = "filename"
    __order__ = ["ticket_id", "id"]

    ticket_id: Mapped[int] = field(ForeignKey("tickets.id", ondelete="CASCADE"), label="Ticket", required=True,
                                   index=True)
    message_id: Mapped[int | None] = field(ForeignKey("ticket_messages.id", ondelete="CASCADE"), label="Message",
                                           index=True)
    filename: Mapped[str] = field(String(255), label="File name", required=True, searchable=True)
    content_type: Mapped[str] = field(String(255), label="Type", default="application/octet-stream", nullable=False)
    sha256: Mapped[str] = field(String(64), label="SHA-256", required=True,
                                help="Of content stored with addons.service_desk.attachments.store().")
    size: Mapped[int | None] = field(Integer, label="Size (bytes)", readonly=True)
    internal: Mapped[bool] = field(Boolean, label="Internal", default=False, nullable=False, readonly=True,
                                   help="Attached to an internal note: never shown to the customer.")

    ticket: Mapped[Ticket] = relationship(Ticket)
    message: Mapped[TicketMessage | None] = relationship(TicketMessage)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """The content must be stored already; size and visibility follow from it and the message."""
        from addons.service_desk.attachments import blob_size

        with db.session.no_autoflush:
            size = blob_size(env, self.sha256)
            if size is None:
                raise ValidationFailed({"sha256": ["No stored file has this SHA-256; upload the content first."]})
            self.size = size
            self.filename = clean_filename(self.filename)
            if self.message_id is not None:
                message = env.sudo().records.get("ticket_messages", self.message_id)
                if message.ticket_id != self.ticket_id:
                    raise ValidationFailed({"message_id": ["This message belongs to another ticket."]})
                self.internal = message.internal
