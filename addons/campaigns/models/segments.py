"""Segments: who a campaign or a journey speaks to, as a filter over contacts or a list of
them, combined with other segments; and their members, kept by hand or materialised."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime, db
from core.domain import DomainError
from core.models.types import JsonType
from core.records.errors import ValidationFailed

from addons.campaigns.models.choices import fill_defaults
from addons.contacts.models import Contact

__all__ = ["Segment", "SegmentMember", "segment_memberships", "segment_includes", "segment_excludes", "KINDS",
           "SOURCES"]

KINDS = [("dynamic", "Dynamic (a filter)"), ("static", "Static (a list)")]
SOURCES = [("manual", "By hand"), ("import", "Imported"), ("selection", "From a list's selection")]


def _link_table(name: str) -> Table:
    return Table(
        name, db.metadata,
        Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        Column("other_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


#: Segments whose members a segment adds to its own.
segment_includes = _link_table("segment_includes")
#: Segments whose members a segment leaves out.
segment_excludes = _link_table("segment_excludes")

#: The members of each segment as last computed (core of sends and journeys): written
#: set-based by addons.campaigns.audience.materialise, never row by row.
segment_memberships = Table(
    "segment_memberships", db.metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Segment(Record):
    """Contacts chosen by a filter (dynamic) or by hand (static), plus the members of the
    segments it includes, minus those of the segments it excludes."""

    __tablename__ = "segments"
    __label__ = "Segment"
    __display_field__ = "name"
    __order__ = ["name"]
    __sort_scopes__ = ("owner_id",)

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    description: Mapped[str | None] = field(Text, label="Description")
    kind: Mapped[str] = field(String(10), label="Kind", choices=KINDS, default="dynamic", nullable=False)
    filter: Mapped[Any | None] = field(JsonType, label="Filter",
                                help="Which contacts belong, in the filter language: "
                                     "[[\"account.country\", \"=\", \"DE\"], [\"tags.name\", \"=\", \"vip\"]]. "
                                     "Empty: every contact, or only those of the included segments.")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner",
                                         help="Empty: whoever creates it.")
    last_refreshed_at: Mapped[datetime | None] = field(UtcDateTime, label="Members computed", readonly=True)
    member_count: Mapped[int | None] = field(Integer, label="Members", readonly=True, summable=False)
    include_segments: Mapped[list[Segment]] = relationship(
        "Segment", secondary=segment_includes, primaryjoin=lambda: Segment.id == segment_includes.c.segment_id,
        secondaryjoin=lambda: Segment.id == segment_includes.c.other_id, info={"label": "Include segments"})
    exclude_segments: Mapped[list[Segment]] = relationship(
        "Segment", secondary=segment_excludes, primaryjoin=lambda: Segment.id == segment_excludes.c.segment_id,
        secondaryjoin=lambda: Segment.id == segment_excludes.c.other_id, info={"label": "Exclude segments"})

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Own it when nobody is named; refuse a filter that does not compile over contacts
        and a segment that would include or exclude itself, however far round."""
        fill_defaults(self)
        if self.id is None and self.owner_id is None and env.user is not None:
            self.owner_id = env.user.id
        errors: dict[str, list[str]] = {}
        if self.kind == "dynamic" and {"filter", "kind"} & changed:
            reason = filter_error(env, self.filter)
            if reason:
                errors["filter"] = [reason]
        if self.kind == "static" and self.filter not in (None, []):
            errors["filter"] = ["A static segment lists its members by hand: leave the filter empty, "
                                "or make the segment dynamic."]
        if {"include_segments", "exclude_segments"} & changed:
            errors.update(_cycle_errors(self))
        if errors:
            raise ValidationFailed(errors)


def filter_error(env: Any, domain: Any) -> str | None:
    """Why `domain` is no filter over contacts in this app (None when it is one)."""
    from core.domain import validate_domain

    if domain is None:
        return None
    try:
        validate_domain(Contact, domain, [model for _, model in env.platform.models.items()])
    except DomainError as error:
        return str(error)
    return None


def _cycle_errors(segment: Segment) -> dict[str, list[str]]:
    """A message on each of `include_segments` / `exclude_segments` that reaches `segment`
    again through the links stored (read through the link tables: a structure, not records)."""
    errors: dict[str, list[str]] = {}
    for name in ("include_segments", "exclude_segments"):
        for start in getattr(segment, name):
            path = _path_back(start, segment)
            if path is not None:
                errors.setdefault(name, []).append(
                    f"{start.name!r} cannot be used here: it would make a cycle ({' -> '.join(path)}). "
                    "A segment may not include or exclude itself, directly or through others.")
    return errors


def _path_back(start: Segment, segment: Segment) -> list[str] | None:
    """The names from `segment` through `start` back to `segment`, if the links go round."""
    if segment.id is None:
        return None  # a new segment: nothing links to it yet
    if start.id == segment.id:
        return [segment.name, segment.name]
    links = select(segment_includes.c.segment_id, segment_includes.c.other_id).union_all(
        select(segment_excludes.c.segment_id, segment_excludes.c.other_id))
    edges: dict[int, set[int]] = {}
    for source, target in db.session.execute(links):
        if source != segment.id:  # this segment's own links are the ones being saved
            edges.setdefault(source, set()).add(target)
    came_from: dict[int, int | None] = {start.id: None}
    pending = [start.id]
    while pending:
        current = pending.pop()
        if current == segment.id:
            chain = [current]
            while came_from[chain[-1]] is not None:
                chain.append(came_from[chain[-1]])  # type: ignore[arg-type]
            names = dict(db.session.execute(select(Segment.id, Segment.name).where(Segment.id.in_(chain))).all())
            return [segment.name, *[names[i] for i in reversed(chain)]]
        for target in edges.get(current, ()):
            if target not in came_from:
                came_from[target] = current
                pending.append(target)
    return None


class SegmentMember(Record):
    """A contact listed in a static segment, and how they came to be."""

    __tablename__ = "segment_members"
    __label__ = "Segment member"
    __display_field__ = "title"
    __order__ = ["segment_id", "-added_at"]
    __table_args__ = (UniqueConstraint("segment_id", "contact_id"),)

    segment_id: Mapped[int] = field(ForeignKey("segments.id", ondelete="CASCADE"), label="Segment", required=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    index=True)
    added_at: Mapped[datetime | None] = field(UtcDateTime, label="Added", readonly=True)
    source: Mapped[str] = field(String(10), label="Source", choices=SOURCES, default="manual", nullable=False)
    segment: Mapped[Segment] = relationship(Segment, foreign_keys=[segment_id])
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])

    @property
    def title(self) -> str:
        """"Ann Lee in Newsletter"."""
        who = self.contact.full_name if self.contact is not None else f"contact #{self.contact_id}"
        return f"{who} in {self.segment.name if self.segment is not None else self.segment_id}"

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Stamp when the contact was added; only static segments list members by hand."""
        fill_defaults(self)
        if self.added_at is None:
            self.added_at = env.now()
        kind = db.session.scalar(select(Segment.kind).where(Segment.id == self.segment_id))
        if kind is not None and kind != "static":
            raise ValidationFailed({"segment_id": ["Only a static segment lists its members by hand; this one is "
                                                   "dynamic (its filter chooses them)."]})
