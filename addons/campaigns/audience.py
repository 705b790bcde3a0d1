"""A segment as one SQL query over contacts, for the acting user.

A segment's members are the contacts the acting user may read (their record rules, through
the records service) that meet its own rule (its filter compiled by core.domain, or a row
of its static list) or that of an included segment, and the rule of no excluded segment,
recursively. Everything compiles to one boolean condition on `contacts`, so a count, a
sample or the materialised member list is one statement whatever the number of contacts
or of segments combined; nothing is looped over in Python but the segments themselves.

Materialisation keeps `segment_memberships` equal to that query, set-based: one DELETE of
the rows that no longer belong (NOT EXISTS) and one INSERT ... SELECT of the new ones,
for a whole segment or for the few contacts an event changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Sequence

from sqlalchemy import Table, and_, delete, exists, false, func, insert, literal, or_, select, true, update
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.sql import visitors
from sqlalchemy.sql.util import find_tables

from core.db import db
from core.domain.negation import complement
from core.events import emit
from core.platform import Platform
from core.records.errors import NotFound, ValidationFailed
from core.records.pagination import parse_order

from addons.campaigns.models.segments import Segment, SegmentMember, segment_memberships
from addons.campaigns.signals import segment_refreshed
from addons.contacts.models import Contact

__all__ = ["Audience", "audience_of", "unsaved_audience", "materialise", "refresh_contacts", "SAMPLE_FIELDS",
           "MAX_NESTING"]

#: Segments nested in one another (included or excluded) at most.
MAX_NESTING = 10
#: Contacts changed at once beyond which every segment is refreshed whole.
WHOLE_REFRESH_ABOVE = 500
#: What a sample shows of each contact.
SAMPLE_FIELDS = ("id", "first_name", "last_name", "email", "city", "country", "account_id")


@dataclass(frozen=True)
class Audience:
    """The members of a segment for one acting env: `condition` on `contacts` (record rules
    included) and the statements built from it."""

    env: Any
    condition: ColumnElement[bool]

    def ids(self) -> Any:
        """SELECT contacts.id of the members."""
        return select(Contact.id).where(self.condition)

    def reads(self, table: Table) -> bool:
        """Whether who belongs depends on rows of `table`: the condition reads it (through
        a subquery, a join or an alias), its record rules included."""
        return table in find_tables(self.condition, include_aliases=True)

    def reads_fields(self, fields: Iterable[str]) -> bool:
        """Whether who belongs depends on any of these fields of contacts: a column the
        condition reads, or the table behind a relationship (tags), its record rules
        included. A name that is neither (an unknown field) counts as read."""
        columns = Contact.__table__.c
        read: set[Any] = set()
        visitors.traverse(self.condition, {}, {"column": read.add})
        relationships = Contact.__mapper__.relationships
        for name in fields:
            if name in columns:
                if columns[name] in read:
                    return True
            elif name in relationships:
                relationship: RelationshipProperty[Any] = relationships[name]
                if any(self.reads(table) for table in (relationship.secondary, relationship.target)
                       if isinstance(table, Table)):
                    return True
            else:
                return True
        return False

    def count(self) -> int:
        """How many contacts are members, counted by the database."""
        return int(db.session.scalar(select(func.count()).select_from(Contact).where(self.condition)) or 0)

    def sample(self, size: int = 10) -> list[dict[str, Any]]:
        """The first `size` members in the contacts' default order, as the API dumps them
        (only the fields the user may read)."""
        meta = self.env.records.meta("contacts")
        keys = parse_order(Contact, None, meta.order)
        found = db.session.scalars(select(Contact).where(self.condition)
                                   .order_by(*[key.order_clause() for key in keys]).limit(size)).all()
        readable = [name for name in SAMPLE_FIELDS if name in self.env.records.readable_fields("contacts")]
        return self.env.records.dump("contacts", found, readable)


def audience_of(env: Any, segment: Segment) -> Audience:
    """The members of a saved `segment` as `env`'s user may see them."""
    return Audience(env, and_(env.records.condition("contacts"), _rule(env, segment, ())))


def unsaved_audience(env: Any, *, kind: str, domain: Any, include: Sequence[int] = (), exclude: Sequence[int] = (),
                     segment_id: int | None = None) -> Audience:
    """The members a segment being edited would have (the live count of its form), given
    its fields as they stand; `segment_id` is the segment being edited (its static list,
    and a cycle back to it). ValidationFailed names the field at fault."""
    from addons.campaigns.models.segments import filter_error

    if kind not in ("dynamic", "static"):
        raise ValidationFailed({"kind": [f"{kind!r} is not a kind of segment; use dynamic or static."]})
    reason = filter_error(env, domain) if kind == "dynamic" else None
    if reason:
        raise ValidationFailed({"filter": [reason]})
    path = (segment_id,) if segment_id is not None else ()
    own = _own(env, kind, domain, segment_id, bool(include))
    included = [_rule(env, _visible(env, "include", other), path) for other in include]
    excluded = [_rule(env, _visible(env, "exclude", other), path) for other in exclude]
    return Audience(env, and_(env.records.condition("contacts"), _combine(own, included, excluded)))


def _visible(env: Any, side: str, segment_id: Any) -> Segment:
    """The segment `segment_id` to include or exclude, if the user may read it."""
    try:
        return env.records.get("segments", int(segment_id))
    except (ValueError, TypeError, NotFound):
        raise ValidationFailed({f"{side}_segments": [f"segment {segment_id!r} does not exist or you may not see it"]}) \
            from None


def _rule(env: Any, segment: Segment, path: tuple[int | None, ...]) -> ColumnElement[bool]:
    """The condition a contact meets to be a member of `segment` (before record rules)."""
    if segment.id in path:
        raise ValidationFailed({"include_segments": [
            f"segment {segment.name!r} includes or excludes itself through others; remove the cycle"]})
    if len(path) >= MAX_NESTING:
        raise ValidationFailed({"include_segments": [
            f"segments are nested more than {MAX_NESTING} deep under {segment.name!r}"]})
    inner = (*path, segment.id)
    own = _own(env, segment.kind, segment.filter, segment.id, bool(segment.include_segments))
    return _combine(own, [_rule(env, other, inner) for other in segment.include_segments],
                    [_rule(env, other, inner) for other in segment.exclude_segments])


def _combine(own: ColumnElement[bool], included: list[ColumnElement[bool]],
             excluded: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    members = or_(own, *included) if included else own
    if not excluded:
        return members
    # A rule that is NULL for a contact (an empty field) leaves it out of the excluded
    # segment, so the contact stays in: the exact complement, not a plain NOT.
    return and_(members, complement(or_(*excluded)))


def _own(env: Any, kind: str, domain: Any, segment_id: int | None, includes: bool) -> ColumnElement[bool]:
    """Who a segment holds of its own, before its included and excluded segments: the
    contacts its filter matches (compiled with the acting user's guards: every related
    record it reaches is one they may read), or those its static list names. An empty
    filter matches every contact, unless the segment includes others: it then only
    combines them."""
    if kind == "static":
        return _listed(segment_id) if segment_id is not None else false()
    if not domain:
        return false() if includes else true()
    return env.records.condition("contacts", domain)


def _listed(segment_id: int | None) -> ColumnElement[bool]:
    """Listed by hand in the static segment."""
    return exists(select(literal(1)).select_from(SegmentMember).where(
        SegmentMember.segment_id == segment_id, SegmentMember.contact_id == Contact.id))


def materialise(env: Any, segment: Segment, contact_ids: Iterable[int] | None = None,
                audience: Audience | None = None) -> int:
    """Make `segment_memberships` of `segment` equal to its members as `env` sees them (for
    `contact_ids` only, when given: the contacts an event changed), in two set-based
    statements, then store the count and the time on the segment and announce
    `segment_refreshed`. `audience` is `audience_of(env, segment)` when the caller has
    it. Returns the count."""
    audience = audience or audience_of(env, segment)
    rows = segment_memberships.c
    only = list(contact_ids) if contact_ids is not None else None
    stale = and_(rows.segment_id == segment.id,
                 ~exists(select(literal(1)).select_from(Contact).where(Contact.id == rows.contact_id,
                                                                        audience.condition)))
    if only is not None:
        stale = and_(stale, rows.contact_id.in_(only))
    db.session.execute(delete(segment_memberships).where(stale))
    fresh = select(literal(segment.id), Contact.id).where(
        audience.condition,
        ~exists(select(literal(1)).select_from(segment_memberships).where(
            rows.segment_id == segment.id, rows.contact_id == Contact.id)))
    if only is not None:
        fresh = fresh.where(Contact.id.in_(only))
    db.session.execute(insert(segment_memberships).from_select(["segment_id", "contact_id"], fresh))
    count = int(db.session.scalar(select(func.count()).select_from(segment_memberships)
                                  .where(rows.segment_id == segment.id)) or 0)
    # Figures the platform keeps, written without a new version: an editor's open form
    # must not become stale because the sweep ran.
    db.session.execute(update(Segment).where(Segment.id == segment.id)
                       .values(member_count=count, last_refreshed_at=env.now())
                       .execution_options(synchronize_session=False))
    emit(segment_refreshed, "segments", segment_id=segment.id, env=env, contact_ids=only)
    return count


def refresh_contacts(contact_ids: Sequence[int] | Callable[[], Sequence[int]], platform_: Platform | None = None,
                     changed: Table | None = None, fields: Collection[str] | None = None) -> None:
    """Bring every segment's materialised members up to date for `contact_ids` (contacts
    just created or changed), each segment as its owner sees it on `platform_` (the
    event's: while addons are installed, not yet the running app's; default: the app's).
    Only the segments that read what changed are refreshed: with `changed`, rows of that
    table (interactions logged); with `fields`, those fields of the contacts (an edit);
    with neither, anything (new contacts). `contact_ids` may be a function giving them,
    called (once) only when a segment reads what changed: a batch of interactions
    logged costs no query when no segment reads interactions."""
    from addons.campaigns.refresh import owner_env

    if not callable(contact_ids) and not contact_ids:
        return
    only: list[int] | None = None
    for segment in db.session.scalars(select(Segment).order_by(Segment.id)):
        env = owner_env(segment, platform_)
        audience = audience_of(env, segment)
        if changed is not None and not audience.reads(changed):
            continue
        if fields is not None and not audience.reads_fields(fields):
            continue
        if callable(contact_ids):
            contact_ids = contact_ids()
        if not contact_ids:
            return
        if only is None:
            # A large batch (an import) is cheaper, and its id list safer, as a whole refresh.
            only = list(contact_ids) if len(contact_ids) <= WHOLE_REFRESH_ABOVE else None
        materialise(env, segment, only, audience)
