"""Campaigns, the messages they send on each channel, the contacts they reach and what
they cost."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, inspect, select
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime, db
from core.records.errors import ValidationFailed

from addons.campaigns.models.choices import (CAMPAIGN_STATUSES, CHANNELS, CURRENCY_CODE, MEMBER_STATUSES,
                                             MESSAGE_STATUSES, TOPIC, TRANSITIONS, VARIANTS, WINNER_METRICS,
                                             fill_defaults, slug)
from addons.campaigns.models.segments import Segment
from addons.contacts.models import Contact

__all__ = ["Campaign", "CampaignMessage", "CampaignMember", "CampaignCost"]

_NEEDED = {"email": "An email needs a subject and a body.", "sms": "An SMS needs its text.",
           "task": "A call task needs a summary."}
_PERCENT = validate.Range(min=1, max=50, error="Give a share from 1 to 50 percent: the rest gets the winner.")
_HOURS = validate.Range(min=1, max=24 * 30, error="Give 1 to 720 hours.")


def _money(label: str, **kwargs: Any) -> Any:
    """An amount in the record's currency, or the company currency when it has none."""
    return field(Numeric(16, 2), label=label, kind="money", currency_field="currency",
                 currency_setting="company_currency", **kwargs)


class Campaign(Record):
    """A marketing effort over one or more channels, with a goal, a budget and a period."""

    __tablename__ = "campaigns"
    __label__ = "Campaign"
    __display_field__ = "name"
    __order__ = ["-starts_on", "name"]
    __sort_scopes__ = ("owner_id", "status")

    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True, sortable=True)
    goal: Mapped[str | None] = field(Text, label="Goal", help="What the campaign should achieve, in a sentence.")
    channel_email: Mapped[bool] = field(Boolean, label="Email", default=True, nullable=False)
    channel_sms: Mapped[bool] = field(Boolean, label="SMS", default=False, nullable=False)
    channel_task: Mapped[bool] = field(Boolean, label="Call list", default=False, nullable=False,
                                       help="Tasks for salespeople (calls), one per contact.")
    budget: Mapped[Decimal | None] = _money("Budget")
    currency: Mapped[str | None] = field(String(3), label="Currency", validate=[CURRENCY_CODE],
                                         help="ISO code; empty means the company currency.")
    starts_on: Mapped[date | None] = field(Date, label="Starts")
    ends_on: Mapped[date | None] = field(Date, label="Ends")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner",
                                         help="Empty: whoever creates it.")
    utm_source: Mapped[str | None] = field(String(120), label="UTM source",
                                           help="Carried by every link; empty: spectrum.")
    utm_medium: Mapped[str | None] = field(String(120), label="UTM medium",
                                           help="Empty: the first channel of the mix (email, sms, task).")
    utm_campaign: Mapped[str | None] = field(String(120), label="UTM campaign", help="Empty: made from the name.")
    topic: Mapped[str] = field(String(120), label="Consent topic", default="email.marketing", nullable=False,
                               validate=[TOPIC],
                               help="The consent channel and topic its messages honour, such as "
                                    "email.marketing.newsletter: who withdrew from it hears nothing more.")
    status: Mapped[str] = field(String(10), label="Status", choices=CAMPAIGN_STATUSES, default="draft",
                                nullable=False)
    owner: Mapped[User | None] = relationship(User, foreign_keys=[owner_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Fill the owner and the UTM values, normalise the currency, check the period, the
        channel mix and the status's move."""
        fill_defaults(self)
        creating = self.id is None
        if creating and self.owner_id is None and env.user is not None:
            self.owner_id = env.user.id
        self.currency = self.currency.strip().upper() if self.currency else None
        self.utm_source = self.utm_source or "spectrum"
        self.utm_medium = self.utm_medium or next(
            (channel for channel, _ in CHANNELS if getattr(self, f"channel_{channel}")), "email")
        self.utm_campaign = self.utm_campaign or slug(self.name or "") or None
        self.topic = (self.topic or "").strip().lower()
        errors: dict[str, list[str]] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ["The campaign cannot end before it starts."]
        if not any(getattr(self, f"channel_{channel}") for channel, _ in CHANNELS):
            errors["channel_email"] = ["Choose at least one channel: email, SMS or call list."]
        if self.budget is not None and self.budget < 0:
            errors["budget"] = ["A budget cannot be negative."]
        moved = _status_error(self, creating)
        if moved:
            errors["status"] = [moved]
        if errors:
            raise ValidationFailed(errors)


def _status_error(campaign: Campaign, creating: bool) -> str | None:
    """Why the campaign's status may not be what it is being set to (None: it may)."""
    if creating:
        return None if campaign.status in ("draft", "scheduled") else \
            f"A new campaign starts as draft or scheduled, not {campaign.status}."
    history = inspect(campaign).attrs.status.history
    if not history.deleted:
        return None
    old = history.deleted[0]
    if campaign.status == old or campaign.status in TRANSITIONS.get(old, ()):
        return None
    allowed = TRANSITIONS.get(old, ())
    if not allowed:
        return f"A {old} campaign is finished: its status cannot change any more."
    return f"A {old} campaign cannot become {campaign.status}; it may become {', '.join(allowed)}."


class CampaignMessage(Record):
    """One send of a campaign on one channel to a segment: an email (with an optional A/B
    test of its subject or body), an SMS or a call task."""

    __tablename__ = "campaign_messages"
    __label__ = "Campaign message"
    __display_field__ = "title"
    __order__ = ["campaign_id", "scheduled_at"]

    campaign_id: Mapped[int] = field(ForeignKey("campaigns.id", ondelete="CASCADE"), label="Campaign", required=True)
    channel: Mapped[str] = field(String(10), label="Channel", choices=CHANNELS, default="email", nullable=False)
    segment_id: Mapped[int | None] = field(ForeignKey("segments.id", ondelete="RESTRICT"), label="Segment",
                                           index=True, help="Who receives it.")
    subject: Mapped[str | None] = field(String(300), label="Subject",
                                        help="A template: {{ contact.first_name or 'there' }} works.")
    body: Mapped[str | None] = field(Text, label="Body", kind="longtext",
                                     help="Jinja2 template of the email's HTML, with contact and account fields.")
    sms_text: Mapped[str | None] = field(String(1600), label="SMS text", kind="longtext")
    task_summary: Mapped[str | None] = field(String(200), label="Task", help="What the salesperson should do.")
    scheduled_at: Mapped[datetime | None] = field(UtcDateTime, label="Send at", help="Empty: when sent by hand.")
    variant_subject: Mapped[str | None] = field(String(300), label="Subject B")
    variant_body: Mapped[str | None] = field(Text, label="Body B", kind="longtext")
    test_share: Mapped[int | None] = field(Integer, label="A/B test share (%)", validate=[_PERCENT],
                                           help="Part of the segment that gets A or B first; the winner goes to the rest.")
    winner_metric: Mapped[str | None] = field(String(10), label="Winner by", choices=WINNER_METRICS)
    decide_after_hours: Mapped[int | None] = field(Integer, label="Decide after (hours)", validate=[_HOURS])
    winner: Mapped[str | None] = field(String(1), label="Winner", choices=VARIANTS, readonly=True)
    winner_chosen_at: Mapped[datetime | None] = field(UtcDateTime, label="Winner chosen", readonly=True,
                                                      help="When the A/B test ended: the members sent before it "
                                                           "were the test, those sent after it got the winner.")
    status: Mapped[str] = field(String(10), label="Status", choices=MESSAGE_STATUSES, default="draft",
                                nullable=False, readonly=True)
    campaign: Mapped[Campaign] = relationship(Campaign, foreign_keys=[campaign_id])
    segment: Mapped[Segment | None] = relationship(Segment, foreign_keys=[segment_id])

    @property
    def title(self) -> str:
        """The subject, the SMS's first words or the task."""
        text = self.subject or self.sms_text or self.task_summary or f"{self.channel} #{self.id}"
        return text if len(text) <= 60 else text[:59] + "…"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """The parts its channel needs, templates that parse, a complete A/B test, a channel
        of the campaign's mix."""
        fill_defaults(self)
        errors: dict[str, list[str]] = {}
        needed = {"email": ("subject", "body"), "sms": ("sms_text",), "task": ("task_summary",)}[self.channel]
        for name in needed:
            if not (getattr(self, name) or "").strip():
                errors[name] = [_NEEDED[self.channel]]
        errors.update(_template_errors(self))
        errors.update(_ab_errors(self))
        mix = db.session.execute(select(Campaign.channel_email, Campaign.channel_sms, Campaign.channel_task)
                                 .where(Campaign.id == self.campaign_id)).first()
        if mix is not None and not dict(zip(("email", "sms", "task"), mix))[self.channel]:
            errors.setdefault("channel", []).append(
                f"The campaign does not use {self.channel}: add it to the campaign's channels first.")
        if errors:
            raise ValidationFailed(errors)


def _template_errors(message: CampaignMessage) -> dict[str, list[str]]:
    """A message beside each template field that does not parse (with its line)."""
    from jinja2 import TemplateError, TemplateSyntaxError

    from core.templating import check_user_template
    from core.templating.limits import template_limits

    errors: dict[str, list[str]] = {}
    for name, html in (("subject", False), ("body", True), ("variant_subject", False), ("variant_body", True),
                       ("sms_text", False), ("task_summary", False)):
        try:
            check_user_template(getattr(message, name) or "", html=html, limits=template_limits())
        except TemplateSyntaxError as error:
            errors[name] = [f"Line {error.lineno}: {error.message}"]
        except TemplateError as error:
            errors[name] = [str(error)]
    return errors


def _ab_errors(message: CampaignMessage) -> dict[str, list[str]]:
    """An A/B test needs a share, a variant, a metric and a delay, and only email has one."""
    variant = bool(message.variant_subject or message.variant_body)
    if not (variant or message.test_share):
        return {}
    if message.channel != "email":
        return {"test_share": ["Only email messages take an A/B test."]}
    errors: dict[str, list[str]] = {}
    if not variant:
        errors["variant_subject"] = ["An A/B test needs a subject B or a body B."]
    for name in ("test_share", "winner_metric", "decide_after_hours"):
        if getattr(message, name) in (None, ""):
            errors[name] = ["An A/B test needs this."]
    return errors


class CampaignMember(Record):
    """A contact a campaign reaches, once per campaign, and how far the campaign went with
    them over all its messages (each message's own way is its `campaign_deliveries` row)."""

    __tablename__ = "campaign_members"
    __label__ = "Campaign member"
    __display_field__ = "id"
    __order__ = ["campaign_id", "id"]
    __sort_scopes__ = ("status",)
    __table_args__ = (UniqueConstraint("campaign_id", "contact_id"),)

    campaign_id: Mapped[int] = field(ForeignKey("campaigns.id", ondelete="CASCADE"), label="Campaign", required=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    index=True)
    status: Mapped[str] = field(String(12), label="Status", choices=MEMBER_STATUSES, default="pending",
                                nullable=False)
    sent_at: Mapped[datetime | None] = field(UtcDateTime, label="Sent", help="When the campaign first reached them.",
                                             index=True)
    delivered_at: Mapped[datetime | None] = field(UtcDateTime, label="Delivered")
    opened_at: Mapped[datetime | None] = field(UtcDateTime, label="Opened")
    clicked_at: Mapped[datetime | None] = field(UtcDateTime, label="Clicked")
    bounced_at: Mapped[datetime | None] = field(UtcDateTime, label="Bounced")
    unsubscribed_at: Mapped[datetime | None] = field(UtcDateTime, label="Unsubscribed")
    converted_at: Mapped[datetime | None] = field(UtcDateTime, label="Converted")
    campaign: Mapped[Campaign] = relationship(Campaign, foreign_keys=[campaign_id])
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Stamp the moment each status is first reached."""
        fill_defaults(self)
        stamp = f"{self.status}_at"
        if self.status not in ("pending", "skipped") and getattr(self, stamp, None) is None:
            setattr(self, stamp, env.now())


class CampaignCost(Record):
    """Money spent on a campaign on one channel (ads, SMS credits, printing), for its ROI."""

    __tablename__ = "campaign_costs"
    __label__ = "Campaign cost"
    __display_field__ = "title"
    __order__ = ["campaign_id", "-spent_on"]

    campaign_id: Mapped[int] = field(ForeignKey("campaigns.id", ondelete="CASCADE"), label="Campaign", required=True)
    channel: Mapped[str] = field(String(10), label="Channel", choices=CHANNELS, required=True)
    amount: Mapped[Decimal] = _money("Amount", required=True)
    currency: Mapped[str | None] = field(String(3), label="Currency", validate=[CURRENCY_CODE],
                                         help="ISO code; empty means the company currency.")
    spent_on: Mapped[date] = field(Date, label="Date", required=True)
    note: Mapped[str | None] = field(String(300), label="Note")
    campaign: Mapped[Campaign] = relationship(Campaign, foreign_keys=[campaign_id])

    @property
    def title(self) -> str:
        """"email 120.00 on 2026-01-05"."""
        return f"{self.channel} {self.amount} on {self.spent_on}"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A cost is positive; its currency is upper case."""
        self.currency = self.currency.strip().upper() if self.currency else None
        if self.amount is not None and self.amount <= 0:
            raise ValidationFailed({"amount": ["A cost is a positive amount."]})
