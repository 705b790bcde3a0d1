"""Accounts, contacts and interactions (the timeline)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime, db
from core.models.search import search_index
from core.models.tags import Tag, tag_table
from core.phones import phone_key
from core.zones import TimezoneName

__all__ = ["Account", "Contact", "Interaction", "CHANNELS", "DIRECTIONS"]

INDUSTRIES = [
    ("technology", "Technology"), ("retail", "Retail"), ("manufacturing", "Manufacturing"),
    ("finance", "Finance"), ("healthcare", "Healthcare"), ("education", "Education"),
    ("media", "Media"), ("nonprofit", "Non-profit"), ("government", "Government"),
    ("hospitality", "Hospitality"), ("other", "Other"),
]
SIZES = [("1-10", "1-10"), ("11-50", "11-50"), ("51-200", "51-200"), ("201-1000", "201-1000"), ("1000+", "1000+")]
CHANNELS = [
    ("email", "Email"), ("phone", "Phone"), ("web", "Web"), ("chat", "Chat"), ("social", "Social"),
    ("meeting", "Meeting"), ("note", "Note"), ("sms", "SMS"),
]
DIRECTIONS = [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")]
PREFERRED = [("email", "Email"), ("phone", "Phone"), ("sms", "SMS"), ("mail", "Post"), ("none", "No contact")]

account_tags = tag_table("account_tags", "accounts")
contact_tags = tag_table("contact_tags", "contacts")


class _Address:
    """Postal address fields shared by accounts and contacts."""

    street: Mapped[str | None] = field(String(200), label="Street")
    city: Mapped[str | None] = field(String(100), label="City", sortable=True)
    postcode: Mapped[str | None] = field(String(20), label="Postcode")
    region: Mapped[str | None] = field(String(100), label="Region")
    country: Mapped[str | None] = field(String(2), label="Country", help="ISO 3166 two-letter code, such as FR.")


class Account(_Address, Record):
    """An organization we do business with."""

    __tablename__ = "accounts"
    __label__ = "Account"
    __display_field__ = "name"
    __order__ = ["name"]
    __sort_scopes__ = ("owner_id",)

    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True)
    industry: Mapped[str | None] = field(String(40), label="Industry", choices=INDUSTRIES)
    size: Mapped[str | None] = field(String(20), label="Size", choices=SIZES, help="Number of employees.")
    website: Mapped[str | None] = field(String(255), label="Website", kind="url")
    email: Mapped[str | None] = field(String(255), label="Email", kind="email", searchable=True)
    phone: Mapped[str | None] = field(String(40), label="Phone", kind="phone")
    phone_key: Mapped[str | None] = field(String(40), label="Phone (normalised)", system=True, index=True)
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner")
    notes: Mapped[str | None] = field(Text, label="Notes")
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=account_tags, info={"label": "Tags"})
    # Read-only way back from an account to its people, for filters such as
    # ["contacts.consent_email", "=", true]; contacts are linked through their account_id.
    contacts: Mapped[list[Contact]] = relationship("Contact", viewonly=True, foreign_keys="Contact.account_id")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Keep the email in lower case and the phone number normalised (core.phones):
        the forms duplicates are found by."""
        if self.email:
            self.email = self.email.strip().lower()
        self.phone_key = phone_key(self.phone, self.country)

    __batch_sets__ = ("phone_key",)

    @classmethod
    def before_save_batch(cls, env: Any, rows: list[dict[str, Any]]) -> None:
        """`before_save` for a batch of new accounts given as text (imports)."""
        for row in rows:
            if row.get("email"):
                row["email"] = row["email"].lower()
            row["phone_key"] = phone_key(row.get("phone"), row.get("country"))


class Contact(_Address, Record):
    """A person, usually working at an account."""

    __tablename__ = "contacts"
    __label__ = "Contact"
    __display_field__ = "full_name"
    __order__ = ["last_name", "first_name"]
    # Lists of one owner's or one city's contacts, in the default order, read one index range.
    __sort_scopes__ = ("owner_id", "city")

    first_name: Mapped[str | None] = field(String(100), label="First name", searchable=True)
    last_name: Mapped[str] = field(String(100), label="Last name", required=True, searchable=True)
    email: Mapped[str | None] = field(String(255), label="Email", kind="email", searchable=True, sortable=True,
                                      help="Stored in lower case: addresses are matched without regard to case.")
    phone: Mapped[str | None] = field(String(40), label="Phone", kind="phone")
    mobile: Mapped[str | None] = field(String(40), label="Mobile", kind="phone")
    phone_key: Mapped[str | None] = field(String(40), label="Phone (normalised)", system=True, index=True)
    mobile_key: Mapped[str | None] = field(String(40), label="Mobile (normalised)", system=True, index=True)
    title: Mapped[str | None] = field(String(100), label="Job title")
    birth_date: Mapped[date | None] = field(Date, label="Date of birth", sensitive=True,
                                            help="Personal data: only roles granted field access see it.")
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="SET NULL"), label="Account", index=True)
    preferred_channel: Mapped[str | None] = field(String(20), label="Preferred channel", choices=PREFERRED)
    consent_email: Mapped[bool] = field(Boolean, label="Email consent", default=False, nullable=False)
    consent_email_at: Mapped[datetime | None] = field(UtcDateTime, label="Email consent changed", readonly=True)
    consent_phone: Mapped[bool] = field(Boolean, label="Phone consent", default=False, nullable=False)
    consent_phone_at: Mapped[datetime | None] = field(UtcDateTime, label="Phone consent changed", readonly=True)
    consent_sms: Mapped[bool] = field(Boolean, label="SMS consent", default=False, nullable=False)
    consent_sms_at: Mapped[datetime | None] = field(UtcDateTime, label="SMS consent changed", readonly=True)
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner")
    timezone: Mapped[str | None] = field(String(64), label="Timezone", validate=[TimezoneName()],
                                         help="IANA name, such as Europe/Paris; empty: read from the phone "
                                              "number or the country.")
    notes: Mapped[str | None] = field(Text, label="Notes")
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=contact_tags, info={"label": "Tags"})
    account: Mapped[Account | None] = relationship(Account, foreign_keys=[account_id])

    @property
    def full_name(self) -> str:
        """First and last name."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Normalize the email and the phone numbers (core.phones, in the contact's country)
        and date every change of consent, as privacy law asks."""
        if self.email:
            self.email = self.email.strip().lower()
        self.phone_key, self.mobile_key = phone_key(self.phone, self.country), phone_key(self.mobile, self.country)
        for channel in ("email", "phone", "sms"):
            if f"consent_{channel}" in changed:
                setattr(self, f"consent_{channel}_at", env.now())

    __batch_sets__ = ("phone_key", "mobile_key", "consent_email_at", "consent_phone_at", "consent_sms_at")

    @classmethod
    def before_save_batch(cls, env: Any, rows: list[dict[str, Any]]) -> None:
        """`before_save` for a batch of new contacts given as text (imports)."""
        now = env.now().isoformat()
        for row in rows:
            if row.get("email"):
                row["email"] = row["email"].lower()
            country = row.get("country")
            row["phone_key"], row["mobile_key"] = phone_key(row.get("phone"), country), phone_key(row.get("mobile"),
                                                                                                   country)
            for channel in ("email", "phone", "sms"):
                if row.get(f"consent_{channel}") is not None:
                    row[f"consent_{channel}_at"] = now


# The quick search reads one document of the searchable fields (core.models.search); its
# trigram index, made by the migration 4e8b0c2d9a17, also serves a filter "email contains".
search_index(Account, "name", "email")
search_index(Contact, "first_name", "last_name", "email")


class Interaction(Record):
    """One touch with a customer on one channel: the unit of the timeline."""

    __tablename__ = "interactions"
    __label__ = "Interaction"
    __display_field__ = "subject"
    __order__ = ["-occurred_at"]
    __table_args__ = (
        Index("ix_interactions_contact_time", "contact_id", "occurred_at"),
        Index("ix_interactions_account_time", "account_id", "occurred_at"),
        Index("ix_interactions_related", "related_model", "related_id"),
    )

    channel: Mapped[str] = field(String(20), label="Channel", choices=CHANNELS, required=True)
    direction: Mapped[str] = field(String(10), label="Direction", choices=DIRECTIONS, default="internal", nullable=False)
    subject: Mapped[str] = field(String(300), label="Subject", required=True, searchable=True)
    body: Mapped[str | None] = field(Text, label="Body")
    occurred_at: Mapped[datetime] = field(UtcDateTime, label="When", required=True)
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact")
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="CASCADE"), label="Account")
    user_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="By", index=True,
                                        assignee=False)
    related_model: Mapped[str | None] = field(String(120), label="Concerns (model)",
                                              help="Resource of the record this touch concerns, such as tickets.")
    related_id: Mapped[int | None] = field(Integer, label="Concerns (id)")
    external_ref: Mapped[str | None] = field(String(255), label="External reference", index=True,
                                             help="Message-ID, call id or other reference of the source system.")
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])
    account: Mapped[Account | None] = relationship(Account, foreign_keys=[account_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """File a touch concerning a contact or an account on it, and a contact's touch on
        its account too (unless the caller gave its account), so each timeline is one
        index range (contact_id or account_id).
        A touch with someone who is not a customer yet (a lead) concerns only its record."""
        if self.related_model == "contacts" and self.contact_id is None:
            self.contact_id = self.related_id
        if self.related_model == "accounts" and self.account_id is None:
            self.account_id = self.related_id
        if self.contact_id is not None and self.account_id is None and "account_id" not in changed:
            # A caller that gives the account (even none) has read it; else the contact's.
            contact = db.session.get(Contact, self.contact_id)  # no query when the caller has the contact loaded
            self.account_id = contact.account_id if contact is not None else None
        if self.contact_id is None and self.account_id is None and not (self.related_model and self.related_id):
            from core.records.errors import ValidationFailed

            raise ValidationFailed({"contact_id": [
                "An interaction needs a contact, an account or a record it concerns (a lead)."]})
