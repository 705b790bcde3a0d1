"""Activities: calls, meetings, tasks, emails and deadlines planned on any record of any addon."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime, db
from core.models.registry import UnknownModel
from core.records.errors import AccessDenied, NotFound, ValidationFailed

from addons.contacts.models import Account, Contact
from addons.sales.models.choices import ACTIVITY_KINDS

__all__ = ["Activity", "ACTIVITY_STATES", "ALERT_ORIGINS", "NOT_RELATABLE"]

ACTIVITY_STATES = [("planned", "Planned"), ("overdue", "Overdue"), ("done", "Done")]
ALERT_ORIGINS = [("manual", "Planned by someone"), ("stale_deal", "Stale-deal alert"),
                 ("past_close", "Past expected close"), ("conversion", "Lead conversion")]
# Models an activity cannot be about: itself, and the platform's own bookkeeping.
NOT_RELATABLE = frozenset({"activities", "roles", "model_access", "record_rules", "field_access", "tags",
                            "saved_filters", "job_runs", "job_schedules"})


class Activity(Record):
    """Something to do about a record, by someone, by a time; done ones go on the timeline."""

    __tablename__ = "activities"
    __label__ = "Activity"
    __label_plural__ = "Activities"
    __display_field__ = "summary"
    __order__ = ["due_at", "id"]
    __sort_scopes__ = ("user_id",)
    __table_args__ = (
        Index("ix_activities_related", "related_model", "related_id"),
        Index("ix_activities_user_done_due", "user_id", "done", "due_at"),
    )

    kind: Mapped[str] = field(String(20), label="Type", choices=ACTIVITY_KINDS, default="task", nullable=False)
    summary: Mapped[str] = field(String(200), label="Summary", required=True, searchable=True)
    notes: Mapped[str | None] = field(Text, label="Notes")
    due_at: Mapped[datetime] = field(UtcDateTime, label="Due", required=True, index=True)
    user_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Assigned to",
                                        help="Empty: whoever plans it.")
    related_model: Mapped[str | None] = field(String(120), label="About (model)",
                                              help="Resource of the record, such as opportunities or tickets.")
    related_id: Mapped[int | None] = field(Integer, label="About (id)")
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Contact",
                                           index=True, help="Empty: the contact of the record it is about.")
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="SET NULL"), label="Account",
                                           index=True, help="Empty: the account of the record it is about.")
    done: Mapped[bool] = field(Boolean, label="Done", default=False, nullable=False)
    outcome: Mapped[str | None] = field(Text, label="Outcome", help="What came of it; shown on the timeline.")
    related_name: Mapped[str | None] = field(String(300), label="About", readonly=True)
    state: Mapped[str] = field(String(10), label="State", choices=ACTIVITY_STATES, default="planned", nullable=False,
                               readonly=True)
    done_at: Mapped[datetime | None] = field(UtcDateTime, label="Done at", readonly=True)
    reminded_at: Mapped[datetime | None] = field(UtcDateTime, label="Reminder sent", readonly=True)
    origin: Mapped[str] = field(String(20), label="Origin", choices=ALERT_ORIGINS, default="manual", nullable=False,
                                readonly=True)
    interaction_id: Mapped[int | None] = field(ForeignKey("interactions.id", ondelete="SET NULL"),
                                               label="Timeline entry", readonly=True)
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id])
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])
    account: Mapped[Account | None] = relationship(Account, foreign_keys=[account_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Check the record it is about, fill the assignee, the links and the state."""
        if self.id is None or changed & {"related_model", "related_id"}:
            self._link(env, changed)
        if self.user_id is None and env.user is not None:
            self.user_id = env.user.id
        if self.done and self.done_at is None:
            self.done_at = env.now()
        elif not self.done:
            self.done_at = None
        if "due_at" in changed and not self.done:
            self.reminded_at = None  # moved: remind again when the new time comes
        if self.done:
            self.state = "done"
        elif self.state == "done" or "due_at" in changed or self.id is None:
            self.state = "overdue" if self.due_at is not None and self.due_at <= env.now() else "planned"

    def _link(self, env: Any, changed: set[str]) -> None:
        if (self.related_model is None) != (self.related_id is None):
            raise ValidationFailed({"related_id": ["Give both the model and the id of the record, or neither."]})
        if self.related_model is None:
            self.related_name = None
            return
        if self.related_model in NOT_RELATABLE:
            raise ValidationFailed({"related_model": [f"Activities cannot be about {self.related_model}."]})
        try:
            with db.session.no_autoflush:
                target = env.records.get(self.related_model, self.related_id)
        except UnknownModel:
            raise ValidationFailed({"related_model": [f"No installed addon provides {self.related_model!r}."]}) from None
        except (NotFound, AccessDenied):
            raise ValidationFailed({"related_id": [
                f"No {self.related_model} record #{self.related_id} that you can see."]}) from None
        self.related_name = target.display_name[:300]
        if self.related_model == "contacts":
            contact_id, account_id = target.id, target.account_id
        elif self.related_model == "accounts":
            contact_id, account_id = None, target.id
        else:
            contact_id, account_id = getattr(target, "contact_id", None), getattr(target, "account_id", None)
        if "contact_id" not in changed:
            self.contact_id = contact_id
        if "account_id" not in changed:
            self.account_id = account_id
