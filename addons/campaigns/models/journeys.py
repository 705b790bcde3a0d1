"""Journeys: steps a contact goes through after entering from a segment or an event, and
where each member stands. The records and their checks; the engine runs them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime, db
from core.models.types import JsonType
from core.records.errors import ValidationFailed

from addons.campaigns.models.choices import fill_defaults
from addons.campaigns.models.campaigns import CampaignMessage
from addons.campaigns.models.segments import Segment, filter_error
from addons.campaigns.models.step_settings import STEP_SETTINGS, settings_errors
from addons.contacts.models import Contact

__all__ = ["Journey", "JourneyStep", "JourneyMember", "JourneyStepRun", "STEP_KINDS"]

JOURNEY_STATUSES = [("draft", "Draft"), ("active", "Active"), ("paused", "Paused"), ("closed", "Closed")]
ENTRY_KINDS = [("segment", "Joins a segment"), ("event", "An event happens")]
STEP_KINDS = [("send", "Send a message"), ("wait", "Wait"), ("branch", "Branch on a condition"),
              ("update", "Update a field or tag"), ("activity", "Create an activity for the owner"),
              ("notify", "Notify someone"), ("exit", "Exit")]
MEMBER_STATUSES = [("active", "In the journey"), ("waiting", "Waiting"), ("done", "Finished"), ("exited", "Left"),
                   ("failed", "Failed")]


class Journey(Record):
    """A path of steps contacts take, entered when they join a segment or an event happens."""

    __tablename__ = "journeys"
    __label__ = "Journey"
    __display_field__ = "name"
    __order__ = ["name"]
    __sort_scopes__ = ("owner_id",)

    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True)
    status: Mapped[str] = field(String(10), label="Status", choices=JOURNEY_STATUSES, default="draft", nullable=False)
    entry_kind: Mapped[str] = field(String(10), label="Entry", choices=ENTRY_KINDS, default="segment", nullable=False)
    entry_segment_id: Mapped[int | None] = field(ForeignKey("segments.id", ondelete="RESTRICT"),
                                                 label="Entry segment", index=True)
    entry_event: Mapped[str | None] = field(String(120), label="Entry event",
                                            help="Such as contacts.created or a tag added: contacts.tagged.")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner",
                                         help="Empty: whoever creates it.")
    campaign_id: Mapped[int | None] = field(ForeignKey("campaigns.id", ondelete="SET NULL"), label="Campaign",
                                            index=True, help="The campaign whose messages its send steps send. "
                                                             "Empty: any campaign's.")
    entry_segment: Mapped[Segment | None] = relationship(Segment, foreign_keys=[entry_segment_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Own it; an entry by segment names the segment, an entry by event names the event;
        a campaign is refused while a send step sends another campaign's message."""
        fill_defaults(self)
        if self.id is None and self.owner_id is None and env.user is not None:
            self.owner_id = env.user.id
        if self.entry_kind == "segment" and self.entry_segment_id is None:
            raise ValidationFailed({"entry_segment_id": ["Choose the segment whose new members enter."]})
        if self.entry_kind == "event" and not (self.entry_event or "").strip():
            raise ValidationFailed({"entry_event": ["Name the event that makes a contact enter."]})
        if self.id is not None and self.campaign_id is not None and "campaign_id" in changed:
            steps = db.session.scalars(select(JourneyStep).where(JourneyStep.journey_id == self.id,
                                                                 JourneyStep.kind == "send")).all()
            others = [step.title for step in steps if _message_campaign(step.config) not in (None, self.campaign_id)]
            if others:
                raise ValidationFailed({"campaign_id": [f"Steps {', '.join(others)} send messages of another "
                                                        "campaign: choose theirs, or change those steps first."]})


def _message_campaign(config: Any) -> int | None:
    """The campaign of a send step's message (None when it names none that exists)."""
    message_id = config.get("message_id") if isinstance(config, dict) else None
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        return None
    return db.session.scalar(select(CampaignMessage.campaign_id).where(CampaignMessage.id == message_id))


class JourneyStep(Record):
    """One step of a journey; `config` holds what its kind needs (a wait's duration, a
    branch's condition), `next_step_id` where it goes, or a branch's yes and no steps."""

    __tablename__ = "journey_steps"
    __label__ = "Journey step"
    __display_field__ = "title"
    __order__ = ["journey_id", "position"]
    __table_args__ = (UniqueConstraint("journey_id", "position"),)

    journey_id: Mapped[int] = field(ForeignKey("journeys.id", ondelete="CASCADE"), label="Journey", required=True)
    position: Mapped[int] = field(Integer, label="Position", required=True)
    kind: Mapped[str] = field(String(10), label="Kind", choices=STEP_KINDS, required=True)
    config: Mapped[Any | None] = field(JsonType, label="Settings", subform=STEP_SETTINGS)
    next_step_id: Mapped[int | None] = field(ForeignKey("journey_steps.id", ondelete="SET NULL"), label="Then")
    yes_step_id: Mapped[int | None] = field(ForeignKey("journey_steps.id", ondelete="SET NULL"), label="If yes")
    no_step_id: Mapped[int | None] = field(ForeignKey("journey_steps.id", ondelete="SET NULL"), label="If no")
    journey: Mapped[Journey] = relationship(Journey, foreign_keys=[journey_id])

    @property
    def title(self) -> str:
        """"3. wait"."""
        return f"{self.position}. {self.kind}"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Its settings are an object with what its kind needs (errors keyed config.<setting>,
        shown beside the setting's input): a send step's message is one of the journey's
        campaign when it has one, a branch's filter compiles over contacts; the steps it leads to are of
        the same journey; only a branch has yes and no steps, and an exit leads nowhere."""
        errors = {f"config.{key}" if key else "config": reasons
                  for key, reasons in settings_errors(self.kind, self.config).items()}
        if self.kind == "send" and not errors:
            campaign = db.session.scalar(select(Journey.campaign_id).where(Journey.id == self.journey_id))
            if campaign is not None and _message_campaign(self.config) not in (None, campaign):
                errors["config.message_id"] = ["Choose a message of this journey's campaign."]
        condition = self.config.get("condition") if self.kind == "branch" and not errors else None
        if isinstance(condition, dict) and "filter" in condition and (reason := filter_error(env, condition["filter"])):
            errors["config.filter"] = [reason]
        if self.kind != "branch" and (self.yes_step_id or self.no_step_id):
            errors["yes_step_id"] = ["Only a branch goes to a yes and a no step; use Then."]
        if self.kind == "exit" and self.next_step_id:
            errors["next_step_id"] = ["An exit step ends the journey: it leads nowhere."]
        for name in ("next_step_id", "yes_step_id", "no_step_id"):
            target = getattr(self, name)
            if target is None:
                continue
            if self.id is not None and target == self.id:
                errors[name] = ["A step cannot lead to itself."]
                continue
            journey = db.session.scalar(select(JourneyStep.journey_id).where(JourneyStep.id == target))
            if journey != self.journey_id:
                errors[name] = ["Choose a step of the same journey."]
        if errors:
            raise ValidationFailed(errors)


class JourneyMember(Record):
    """Where a contact stands in a journey (once per journey) and when it moves on next."""

    __tablename__ = "journey_members"
    __label__ = "Journey member"
    __display_field__ = "id"
    __order__ = ["journey_id", "id"]
    __sort_scopes__ = ("status",)
    __table_args__ = (UniqueConstraint("journey_id", "contact_id", "subject"),)

    journey_id: Mapped[int] = field(ForeignKey("journeys.id", ondelete="CASCADE"), label="Journey", required=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    index=True)
    current_step_id: Mapped[int | None] = field(ForeignKey("journey_steps.id", ondelete="SET NULL"),
                                                label="Current step")
    next_run_at: Mapped[datetime | None] = field(UtcDateTime, label="Next run", index=True)
    status: Mapped[str] = field(String(10), label="Status", choices=MEMBER_STATUSES, default="active", nullable=False)
    subject: Mapped[str] = field(String(80), label="About", readonly=True, nullable=False, default="",
                                 server_default="",
                                 help="The record the contact is in the journey about (`carts:17`), "
                                      "when another addon admits them about one; empty otherwise.")
    journey: Mapped[Journey] = relationship(Journey, foreign_keys=[journey_id])
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """The current step is one of the member's journey."""
        fill_defaults(self)
        if self.current_step_id is None:
            return
        journey = db.session.scalar(select(JourneyStep.journey_id).where(JourneyStep.id == self.current_step_id))
        if journey != self.journey_id:
            raise ValidationFailed({"current_step_id": ["Choose a step of the member's journey."]})


class JourneyStepRun(Record):
    """One step run for one member, written in the same transaction as the step's effect
    and the member's move: UNIQUE(member, step) makes a step run at most once per member,
    so a worker killed mid-batch and restarted never sends twice."""

    __tablename__ = "journey_step_runs"
    __label__ = "Journey step run"
    __display_field__ = "outcome"
    __order__ = ["-ran_at", "-id"]
    __table_args__ = (UniqueConstraint("member_id", "step_id"),)

    member_id: Mapped[int] = field(ForeignKey("journey_members.id", ondelete="CASCADE"), label="Member",
                                   required=True, readonly=True)
    step_id: Mapped[int] = field(ForeignKey("journey_steps.id", ondelete="CASCADE"), label="Step", required=True,
                                 readonly=True, index=True)
    outcome: Mapped[str] = field(String(300), label="Outcome", required=True, readonly=True,
                                 help="sent, yes, no, waits until ..., or why a step did nothing (skipped: ...).")
    mail_id: Mapped[int | None] = field(Integer, label="Mail", readonly=True,
                                        help="The mail log row of a send step's email.")
    ran_at: Mapped[datetime] = field(UtcDateTime, label="Ran at", required=True, readonly=True)
    member: Mapped[JourneyMember] = relationship(JourneyMember, foreign_keys=[member_id])
    step: Mapped[JourneyStep] = relationship(JourneyStep, foreign_keys=[step_id])
