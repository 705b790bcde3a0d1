"""The records service: the one way business records are read and written.

Every caller (web UI, API, jobs, imports, other addons) goes through here, so every
read applies model access and record rules, and every write is validated, stamped,
audited, version-checked and announced by events.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from sqlalchemy import and_, bindparam, func, inspect, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.elements import ColumnElement, True_

from core import signals
from core.db import db
from core.domain import USER_ID, DomainContext, compile_domain, context_values
from core.domain.paths import reached_models, reads_the_time
from core.models.read_time import read_time_fields
from core.events import batches_welcome, emit
from core.models.meta import AUDIT_FIELDS, ModelMeta
from core.models.search import search_document
from core.records.audit import AuditEntry
from core.records.bulk import attach_records, insert_records, insert_rows, one_of
from core.records.csv_staging import StagedImport
from core.records.errors import AccessDenied, BadRequest, BatchFailed, Conflict, NotFound, ValidationFailed
from core.records.guards import refuse_held, refuse_shipped, release, watch_administrators
from core.records.pagination import (LIKE_ESCAPE, SEARCH_PARAMETER, SortKey, apply_keyset, decode_cursor,
                                     encode_cursor, keyset_parameters, search_parameters,
                                     parse_order, search_page)
from core.records.prefetch import load_to_many
from core.records.rows import read_page
from core.records.schemas import INT_MAX
from core.records.values import ValueResolver, check_money_places, describe_integrity_error

if TYPE_CHECKING:
    from core.env import Env
    from core.records.csv_columns import RowReader

__all__ = ["RecordService", "Page", "PageStatement", "DumpedPage", "Count"]

#: The shortest search term a trigram index serves. A shorter one matches so much that
#: walking the sort index and stopping at a page is the faster plan.
TRIGRAM = 3


@dataclass
class Page:
    """One page of a list: the records and the cursor of the next page (None at the end)."""

    records: list[Any]
    next_cursor: str | None


@dataclass
class PageStatement:
    """The SELECT of a page of records, its sort keys and the parameters to run it with."""

    keys: list[SortKey]
    statement: Any
    parameters: dict[str, Any]


@dataclass
class DumpedPage:
    """One page of a list as output: the dumped rows and the cursor of the next page."""

    rows: list[dict[str, Any]]
    next_cursor: str | None


@dataclass
class Count:
    """A count that stops at `cap` unless asked to be exact (`exact` False means "at least")."""

    value: int
    exact: bool


def _search_shape(search: str | None) -> str:
    """What of a search term decides the page statement: none, a short term (searched in
    the list's order) or a term the trigram indexes serve (`search_page`)."""
    term = (search or "").strip()
    return "" if not term else "trigram" if len(term) >= TRIGRAM else "short"


class RecordService:
    """Reads and writes records of any installed model on behalf of an `Env`."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.policy = env.policy
        self.models = env.platform.models
        # Field permissions per resource; the policy (and so the answer) is fixed per Env.
        self._fields: dict[tuple[str, str], tuple[str, ...]] = {}
        #: Tags by name, kept as records are tagged (see core.records.values).
        self.tags: dict[str, Any] = {}

    # -- metadata -------------------------------------------------------------------
    def meta(self, resource: str) -> ModelMeta:
        """Metadata of `resource` (UnknownModel if no installed addon provides it)."""
        return self.models.meta(resource)

    def readable_fields(self, resource: str) -> tuple[str, ...]:
        """Fields the acting user may read."""
        if ("r", resource) not in self._fields:
            self._fields[("r", resource)] = tuple(
                f.name for f in self.meta(resource).fields.values()
                if self.policy.field_allowed(resource, f.name, f.sensitive) and f.kind != "password")
        return self._fields[("r", resource)]

    def writable_fields(self, resource: str) -> tuple[str, ...]:
        """Fields the acting user may set."""
        if ("w", resource) not in self._fields:
            self._fields[("w", resource)] = tuple(
                f.name for f in self.meta(resource).fields.values()
                if f.writable and self.policy.field_allowed(resource, f.name, f.sensitive, write=True))
        return self._fields[("w", resource)]

    # -- reading --------------------------------------------------------------------
    def _context(self) -> DomainContext:
        """The acting user's filter context: the fields they may read, and on every path
        through a relation, the records of the model reached that they may read."""
        def guard(model: type[Any], name: str) -> bool:
            # A filter on a field reveals its values as surely as reading it does (a
            # hash, one `startswith` at a time): only readable fields may be filtered
            # on, so never a password, whoever asks.
            resource = model.resource_name()
            return resource not in self.models or name in self.readable_fields(resource)

        def readable(model: type[Any]) -> ColumnElement[bool] | None:
            if not self.policy.can(model.resource_name(), "read"):
                return None
            return self.policy.predicate(model, "read")

        return DomainContext(user=self.env.user, now=self.env.now(), field_guard=guard, record_guard=readable,
                             models=self._model_classes(), fiscal_year_start_month=self.env.fiscal_year_start_month)

    def _model_classes(self) -> list[type[Any]]:
        """The app's models: those a filter's step naming another model's records may reach."""
        return [model for _, model in self.models.items()]

    def select(self, resource: str, domain: Any = None, *, search: str | None = None,
               operation: str = "read") -> Any:
        """A SELECT of the records the user may `operation`, filtered by `domain` and `search`."""
        model = self.models.get(resource)
        statement = select(model).where(self.condition(resource, domain, operation=operation))
        match = self._search_condition(resource, search)
        return statement if match is None else statement.where(match)

    def _search_condition(self, resource: str, search: str | None) -> ColumnElement[bool] | None:
        """Records whose readable searchable fields, read as one text (core.models.search),
        hold `search` (in any case); None when there is nothing to search or nothing to
        search in. The pattern is the parameter SEARCH_PARAMETER, holding `search` until a
        statement kept for other terms is run with another (`search_parameters`)."""
        parameters = search_parameters(search)
        if not parameters:
            return None
        model = self.models.get(resource)
        readable = self.readable_fields(resource)
        columns = [getattr(model, f.name) for f in self.meta(resource).searchable_fields if f.name in readable]
        if not columns:
            return None
        pattern = bindparam(SEARCH_PARAMETER, parameters[SEARCH_PARAMETER])
        return search_document(columns).ilike(pattern, escape=LIKE_ESCAPE)

    def condition(self, resource: str, domain: Any = None, *, operation: str = "read") -> ColumnElement[bool]:
        """The SQL condition of the records the user may `operation` that match `domain`
        (record rules and filter); AccessDenied when no role grants `operation` at all."""
        self.policy.require(resource, operation)
        model = self.models.get(resource)
        allowed = self.policy.predicate(model, operation)
        return and_(allowed, compile_domain(model, domain, self._context())) if domain else allowed

    def subquery(self, resource: str, domain: Any = None, *, search: str | None = None,
                 operation: str = "read") -> Any:
        """The records of `select` as a subquery for aggregates and joins (`.c.<column>`),
        with the columns of the model as this app has it: an extension column that an
        addon of another app of the process added is not in this database."""
        model = self.models.get(resource)
        meta = self.meta(resource)
        columns = [column for column in model.__table__.c
                   if column.key in meta.fields or column.key in AUDIT_FIELDS]
        return self.select(resource, domain, search=search, operation=operation).with_only_columns(*columns).subquery()

    def search(self, resource: str, domain: Any = None, *, order: Sequence[str] | str | None = None,
               limit: int | None = None, cursor: str | None = None, search: str | None = None) -> Page:
        """A page of records, sorted, starting after `cursor`."""
        model = self.models.get(resource)
        size = limit or int(self.env.platform.settings["page_size"])
        page = self._page_statement(resource, domain, order, cursor, search, size)
        rows = list(db.session.scalars(page.statement, page.parameters))
        more = len(rows) > size
        rows = rows[:size]
        self._load_to_many(resource, model, rows)
        return Page(rows, encode_cursor(page.keys, rows[-1]) if more and rows else None)

    def search_dumped(self, resource: str, domain: Any = None, *, order: Sequence[str] | str | None = None,
                      limit: int | None = None, cursor: str | None = None, search: str | None = None,
                      fields: Sequence[str] | None = None) -> DumpedPage:
        """`dump(resource, search(...).records, fields)` and the same next cursor, read as
        plain rows (core.records.rows) rather than ORM instances, for callers that only
        output the page; the same checks, in the same order, raise the same errors."""
        size = limit or int(self.env.platform.settings["page_size"])
        page = self._page_statement(resource, domain, order, cursor, search, size)
        readable = self._output_fields(resource, fields)
        read = read_page(self.meta(resource), page, size, readable, self.env.platform.settings)
        if read is None:  # the display name needs the ORM (a relationship)
            found = self.search(resource, domain, order=order, limit=limit, cursor=cursor, search=search)
            return DumpedPage(self.dump(resource, found.records, fields), found.next_cursor)
        instances, rows, next_cursor = read
        self._read_time_values(resource, readable, list(zip(instances, rows)))
        return DumpedPage(rows, next_cursor)

    def _page_statement(self, resource: str, domain: Any, order: Sequence[str] | str | None, cursor: str | None,
                        search: str | None, size: int) -> PageStatement:
        """The ordered SELECT of one page of `size` records (and one more, telling whether
        a next page exists), after `cursor`.

        Building it (record rules, filter, keyset, search) cost more than the database's
        work on a page; the statement is kept with the permission tables for the requests
        that ask for the same page shape (`AccessPolicy.reused`), and the cursor's values
        and the search's pattern are its parameters. A filter or a rule that depends on
        the time or on the user's data builds it each time."""
        model = self.models.get(resource)
        keys = parse_order(model, order, self.meta(resource).order)
        computed = [key.name for key in keys if key.name in read_time_fields(model)]
        if computed:
            raise BadRequest(f"cannot sort {resource!r} by {computed[0]!r}: its value depends on the time it is "
                             "read; sort by the time it changes instead")
        hidden = [key.name for key in keys if key.name not in self.readable_fields(resource)]
        if hidden:
            # Sorting by a field reveals its values as surely as reading it does.
            raise BadRequest(f"cannot sort {resource!r} by {hidden[0]!r}: you may not read that field")
        after = decode_cursor(keys, cursor) if cursor else None
        searched = search_parameters(search)

        def build() -> Any:
            match = self._search_condition(resource, search)
            if match is not None and _search_shape(search) == "trigram":
                # The list as the filter makes it; the record rules are tested with the term.
                listed = select(model).where(compile_domain(model, domain, self._context())) if domain else select(model)
                readable_match = and_(self.policy.predicate(model, "read"), match)
                return search_page(model, apply_keyset(listed, keys, after), readable_match, keys, size + 1)
            return apply_keyset(self.select(resource, domain, search=search), keys, after).limit(size + 1)

        self.policy.require(resource, "read")
        statement = self.policy.reused(self._page_key(model, domain, keys, after, search, size), build)
        return PageStatement(keys, statement, {**keyset_parameters(after), **searched})

    def _page_key(self, model: type[Any], domain: Any, keys: list[SortKey], after: list[Any] | None,
                  search: str | None, size: int) -> tuple[Any, ...] | None:
        """What decides the page statement, or None when it cannot be kept (see `_page_statement`)."""
        rules = self.policy.reuse_key(model, "read")
        if rules is None:
            return None
        uses = context_values(domain)
        if uses - {USER_ID} or reads_the_time(model, domain, self._model_classes()):
            return None
        # A path through a relation carries the read rules of each model it reaches.
        crossed = [self.policy.reuse_key(target, "read")
                   for target in sorted(reached_models(model, domain, self._model_classes()), key=lambda target: target.resource_name())]
        if None in crossed:
            return None
        # repr, not JSON: a tuple and a list, or True and 1, may compile differently.
        return ("page", self.models, rules, tuple(crossed), repr(domain),
                self.env.user.id if uses and self.env.user else None,
                tuple((key.name, key.descending) for key in keys),
                None if after is None else tuple(value is None for value in after), size,
                _search_shape(search))

    def first_per_value(self, resource: str, field_name: str, values: Sequence[Any], domain: Any = None, *,
                        limit: int, search: str | None = None) -> dict[Any, tuple[list[Any], bool]]:
        """For each of `values` of `field_name`, the first `limit` matching records in the
        model's order, and whether it has more (a kanban board's columns), in two queries
        whatever the number of values: one UNION ALL of a limited, index-served SELECT per
        value for the ids, then the records."""
        model = self.models.get(resource)
        if field_name not in self.readable_fields(resource):
            raise BadRequest(f"cannot group {resource!r} by {field_name!r}: you may not read that field")
        if not values:
            return {}
        keys = parse_order(model, None, self.meta(resource).order)
        column = getattr(model, field_name)
        visible = self.select(resource, domain, search=search).with_only_columns(model.id, column)
        parts = [visible.where(column == value).order_by(*[k.order_clause() for k in keys]).limit(limit + 1)
                 .subquery().select() for value in values]
        rows = db.session.execute(union_all(*parts)).all()
        found: dict[Any, list[int]] = {}
        for record_id, value in rows:
            found.setdefault(value, []).append(record_id)
        shown = {record_id: rank for ids in found.values() for rank, record_id in enumerate(ids[:limit])}
        records = db.session.scalars(self.select(resource).where(model.id.in_(shown))).all() if shown else []
        self._load_to_many(resource, model, records)
        groups: dict[Any, list[Any]] = {}
        for record in sorted(records, key=lambda r: shown[r.id]):
            groups.setdefault(getattr(record, field_name), []).append(record)
        return {value: (groups.get(value, []), len(ids) > limit) for value, ids in found.items()}

    def _load_to_many(self, resource: str, model: type[Any], records: Sequence[Any]) -> None:
        """Load the readable to-many fields (tags) of a whole page at once, instead of one
        query per record when the page is dumped."""
        readable = self.readable_fields(resource)
        load_to_many(model, records, [f.name for f in self.meta(resource).fields.values()
                                      if f.kind in ("tags", "many2many") and f.name in readable])

    def iterate(self, resource: str, domain: Any = None, *, order: Sequence[str] | str | None = None,
                batch: int = 1000) -> Iterable[Any]:
        """Every matching record, fetched in keyset batches (constant memory, for exports).

        The session holds unchanged records weakly, so a page the caller has let go of is
        freed; nothing is expunged, which would detach objects the caller still uses."""
        cursor: str | None = None
        while True:
            page = self.search(resource, domain, order=order, limit=batch, cursor=cursor)
            yield from page.records
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def count(self, resource: str, domain: Any = None, *, search: str | None = None,
              cap: int | None = None) -> Count:
        """How many records match; stops counting past `cap` when given."""
        model = self.models.get(resource)
        statement = self.select(resource, domain, search=search).with_only_columns(model.id)
        if cap is not None:
            value = db.session.scalar(select(func.count()).select_from(statement.limit(cap + 1).subquery()))
            return Count(min(value, cap), value <= cap)
        return Count(db.session.scalar(select(func.count()).select_from(statement.subquery())), True)

    def get(self, resource: str, record_id: int, *, operation: str = "read", lock: bool = False) -> Any:
        """The record, if the user may read it (and perform `operation`); else NotFound/AccessDenied.

        `lock` reads it afresh and holds its row until the transaction ends (FOR UPDATE on
        PostgreSQL; on SQLite a writing transaction holds the whole database already), so
        a decision taken on its values stands until commit: a concurrent writer waits,
        then reads what this transaction wrote."""
        model = self.models.get(resource)
        record = None
        if 0 < record_id <= INT_MAX:  # beyond, the database would fail on the literal
            statement = self.select(resource).where(model.id == record_id)
            if lock:
                statement = statement.with_for_update(of=model).execution_options(populate_existing=True)
            record = db.session.scalar(statement)
        if record is None:
            raise NotFound(f"{resource} #{record_id} does not exist or you may not see it")
        if operation != "read":
            self._require_record(model, record.id, operation)
        return record

    def sees(self, resource: str, record_id: int) -> bool:
        """Whether the user may read the record `record_id` of `resource` (AccessDenied when
        no role may read the model at all), as `get` would find it, without loading it.

        Where no record rule applies, the question is whether the row exists: a record the
        session holds answers it without a query (a link to a record created just before,
        as loading data makes them one after the other), and otherwise one SELECT of the
        id, without flushing the session first (a record must have been flushed to have
        an id to link to; the rules, which may read other rows, flush as queries do)."""
        model = self.models.get(resource)
        self.policy.require(resource, "read")
        if not 0 < record_id <= INT_MAX:
            return False
        predicate = self.policy.predicate(model, "read")
        exists = select(literal(1)).select_from(model).where(model.id == record_id)
        if not isinstance(predicate, True_):
            return db.session.scalar(exists.where(predicate)) is not None
        held = db.session.identity_map.get(identity_key(model, record_id))
        if held is not None and held not in db.session.deleted and not inspect(held).expired:
            return True
        with db.session.no_autoflush:
            return db.session.scalar(exists) is not None

    def allows(self, resource: str, record_id: int, operation: str) -> bool:
        """Whether the acting user may `operation` the record `record_id` of `resource` (its
        model access and record rules), for pages that offer an action only where it will be
        accepted. The caller has read the record already."""
        try:
            self._require_record(self.models.get(resource), record_id, operation)
        except AccessDenied:
            return False
        return True

    def _require_record(self, model: type[Any], record_id: int, operation: str, *, written: bool = False) -> None:
        """AccessDenied unless the record rules allow `operation` on the record (as it is
        now, or as just `written` by the caller, whose new values are then to blame)."""
        self.policy.require(model.resource_name(), operation)
        predicate = self.policy.predicate(model, operation)
        if isinstance(predicate, True_):
            return  # no record rule applies: nothing to ask the database
        allowed = db.session.scalar(select(literal(1)).select_from(model).where(model.id == record_id, predicate))
        if not allowed:
            if operation == "create":  # the id is of a row that is about to be rolled back
                raise AccessDenied(f"you may not create this {model.resource_name()} record: "
                                   "no record rule of your roles allows these values")
            what = "these values" if written else "it"
            raise AccessDenied(f"you may not {operation} {model.resource_name()} #{record_id}: "
                               f"no record rule of your roles allows {what}")

    # -- writing --------------------------------------------------------------------
    def create(self, resource: str, values: Mapping[str, Any]) -> Any:
        """Validate and insert a record; returns it flushed (the caller commits)."""
        self.policy.require(resource, "create")
        self.require_creatable(resource)
        model = self.models.get(resource)
        resolver = ValueResolver(self, resource)
        scalars, relations = resolver.load(values, partial=False)
        record = model(**scalars)
        now, author = self.env.now(), self._author_id()
        record.created_at = record.updated_at = now
        record.created_by = record.updated_by = author
        with db.session.begin_nested():
            for name, related in relations.items():
                setattr(record, name, related)
            record.before_save(self.env, set(scalars) | set(relations))
            check_money_places(resolver.meta, record, set(scalars), self.env.platform.settings)
            db.session.add(record)
            self._flush(resource, None, None)
            self._require_record(model, record.id, "create")
            db.session.add(AuditEntry(at=now, user_id=author, model=resource, record_id=record.id, action="create"))
            emit(signals.record_created, resource, record=record, env=self.env)
        return record

    def create_many(self, resource: str, rows: Sequence[Mapping[str, Any]], *,
                    announce_as_batch: bool = False) -> list[Any]:
        """Validate and insert many records at once (imports): the checks, stamps,
        `before_save`, audit entries and events of `create`, with one INSERT of the records
        (core.records.bulk) and one of their audit entries, one query per linked model and
        one access query for the whole batch. Returns the records, persistent in the session.

        With `announce_as_batch`, the events are one `records_created` for the batch when
        every `record_created` handler of `resource` has a batch form
        (`core.events.batches_welcome`): worth it when handlers do costly work per record
        (a segment refresh per contact); the batch forms read the records back, a query
        each. Else, and by default, one `record_created` per record.

        Raises BatchFailed naming every bad row (by index in `rows`); then nothing of the
        batch is written. A database constraint that fails (a unique value) is found by
        retrying the batch record by record."""
        self.policy.require(resource, "create")
        self.require_creatable(resource)
        meta = self.meta(resource)
        now, author = self.env.now(), self._author_id()
        records = self._build_records(resource, rows, now, author)
        try:
            with db.session.begin_nested():
                record_ids = insert_records(meta, records)
                attach_records(meta, records)
                self._require_records(meta.model, record_ids)
                insert_rows(AuditEntry.__table__, [
                    {"at": now, "user_id": author, "model": resource, "record_id": record_id, "action": "create"}
                    for record_id in record_ids])
                if announce_as_batch and batches_welcome(resource, self.env.platform.loaded):
                    emit(signals.records_created, resource, ids=record_ids, env=self.env)
                else:
                    for record in records:
                        emit(signals.record_created, resource, record=record, env=self.env)
        except (IntegrityError, ValidationFailed):  # the savepoint's rollback took the records out
            return self._create_one_by_one(resource, rows)
        return records

    def staged_import(self, resource: str, columns: Mapping[str, str], key: str | None,
                      rows: RowReader) -> StagedImport | None:
        """The import of CSV `columns` (header -> field) into `resource` through a staging
        table, checked and written in SQL (core.records.csv_staging), or None when this
        database, the model or its event handlers need the rows one by one. `key` is the
        field whose value finds a record to update; `rows` reads lines the row path takes."""
        if StagedImport.refusal(self, resource, columns) is not None:
            return None
        return StagedImport(self, resource, columns, key, rows)

    def _build_records(self, resource: str, rows: Sequence[Mapping[str, Any]], now: datetime,
                       author: int | None) -> list[Any]:
        """New records of `rows`, validated, stamped and through `before_save`, not in the
        session; BatchFailed naming every row that is not valid."""
        model = self.models.get(resource)
        resolver = ValueResolver(self, resource)
        resolver.prefetch_links(rows)
        errors: dict[int, dict[str, Any]] = {}
        records: list[Any] = []
        for index, values in enumerate(rows):
            try:
                scalars, relations = resolver.load(values, partial=False)
                record = model(**scalars)
                for name, related in relations.items():
                    setattr(record, name, related)
                record.created_at = record.updated_at = now
                record.created_by = record.updated_by = author
                record.before_save(self.env, set(scalars) | set(relations))
                check_money_places(resolver.meta, record, set(scalars), self.env.platform.settings)
                records.append(record)
            except ValidationFailed as error:
                errors[index] = error.errors
        if errors:
            for record in records:  # built but never added: forget their relations' backrefs
                if record in db.session:
                    db.session.expunge(record)
            raise BatchFailed(errors)
        return records

    def _create_one_by_one(self, resource: str, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """`create` for each row, to say which rows a failing batch constraint is about."""
        created, errors = [], {}
        with db.session.begin_nested() as batch:
            for index, values in enumerate(rows):
                try:
                    created.append(self.create(resource, values))
                except (ValidationFailed, AccessDenied) as error:
                    errors[index] = getattr(error, "errors", None) or {"_row": [str(error)]}
            if errors:
                batch.rollback()
        if errors:
            raise BatchFailed(errors)
        return created

    def _require_records(self, model: type[Any], record_ids: list[int]) -> None:
        """AccessDenied unless the record rules allow creating every record just written."""
        predicate = self.policy.predicate(model, "create")
        if isinstance(predicate, True_) or not record_ids:
            return
        allowed = set(db.session.scalars(select(model.id).where(one_of(model.id, record_ids), predicate)))
        refused = [position for position, record_id in enumerate(record_ids) if record_id not in allowed]
        if refused:
            message = (f"you may not create this {model.resource_name()} record: "
                       "no record rule of your roles allows these values")
            raise BatchFailed({position: {"_row": [message]} for position in refused})

    def update(self, resource: str, record_id: int, values: Mapping[str, Any], *,
               version: int | None = None) -> Any:
        """Validate and apply changes; a stale `version` is a Conflict, never an overwrite."""
        model = self.models.get(resource)
        record = self.get(resource, record_id, operation="update")
        read_version = record.version
        if version is not None and int(version) != read_version:
            raise Conflict(resource, record_id, int(version), read_version)
        resolver = ValueResolver(self, resource)
        scalars, relations = resolver.load(values, partial=True)
        requested = resolver.requested(record, scalars, relations)
        if not requested:
            return record
        before = resolver.snapshot(record, relations)
        now, author = self.env.now(), self._author_id()
        administrators_kept = watch_administrators(resource)
        with db.session.begin_nested():
            for name, value in {**scalars, **relations}.items():
                setattr(record, name, value)
            record.before_save(self.env, requested)
            check_money_places(resolver.meta, record, requested, self.env.platform.settings)
            changes = resolver.diff(record, before)
            if not changes:
                # before_save normalized the input back to what was stored (an email's
                # case): equal values do not make SQLAlchemy write, so nothing changes.
                return record
            record.updated_at, record.updated_by = now, author
            self._flush(resource, record_id, read_version)
            administrators_kept()
            self._require_record(model, record.id, "update", written=True)
            db.session.add_all([
                AuditEntry(at=now, user_id=author, model=resource, record_id=record.id, action="update",
                           field=name, old_value=old, new_value=new)
                for name, (old, new) in changes.items()
            ])
            emit(signals.record_updated, resource, record=record, env=self.env, changes=changes)
        return record

    def delete(self, resource: str, record_id: int, *, version: int | None = None,
               release_holders: bool = False) -> None:
        """Delete a record the user may delete.

        Refused (409) for a record an addon ships that the platform keeps, or a change
        that leaves no active administrator; InUse (409, naming them) while other records
        hold it (users a role), unless `release_holders`: they then let go of it first,
        each by an audited update, as an explicit decision of the caller
        (core.records.guards)."""
        record = self.get(resource, record_id, operation="delete")
        read_version = record.version
        if version is not None and int(version) != read_version:
            raise Conflict(resource, record_id, int(version), read_version)
        refuse_shipped(resource, record)
        administrators_kept = watch_administrators(resource)
        with db.session.begin_nested():
            if release_holders:
                release(self, record)
            else:
                refuse_held(self, resource, record)
            emit(signals.record_deleted, resource, record=record, env=self.env)
            db.session.add(AuditEntry(at=self.env.now(), user_id=self._author_id(), model=resource,
                                      record_id=record_id, action="delete", note=record.display_name))
            db.session.delete(record)
            self._flush(resource, record_id, read_version)
            administrators_kept()

    def _flush(self, resource: str, record_id: int | None, read_version: int | None) -> None:
        """Write pending changes; a concurrent writer's commit (caught by the ORM's version
        check) is a Conflict. The record is expired by then, so its id and the version
        read come from the caller."""
        try:
            db.session.flush()
        except StaleDataError:
            raise Conflict(resource, record_id or 0, read_version, None) from None
        except IntegrityError as error:
            raise ValidationFailed(describe_integrity_error(self.meta(resource), error)) from None

    def require_creatable(self, resource: str) -> None:
        """AccessDenied when a user (not the platform) creates a record only the platform creates."""
        if not self.env.system_mode and self.meta(resource).created_by_platform:
            raise AccessDenied(f"{self.meta(resource).label_plural} are created by the platform, not by hand")

    def _author_id(self) -> int | None:
        return self.env.user.id if self.env.user is not None else None

    # -- output ---------------------------------------------------------------------
    def dump(self, resource: str, records: Iterable[Any], fields: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """JSON-ready dicts of `records`, with only the fields the user may read."""
        from core.records.schemas import output_dumper

        readable = self._output_fields(resource, fields)
        dump = output_dumper(self.meta(resource), readable, self.env.platform.settings)
        rows = [dump(record) for record in records]
        self._read_time_values(resource, readable, list(zip(records, rows)))
        return rows

    def _read_time_values(self, resource: str, readable: tuple[str, ...], dumped: list[tuple[Any, dict[str, Any]]]) -> None:
        """Set in each dumped row the `readable` fields computed when read (core.models.read_time), at the
        platform's time, from its record (a plain instance holding the row's columns will do)."""
        computed = [(name, rule) for name, rule in read_time_fields(self.models.get(resource)).items() if name in readable]
        if not computed or not dumped:
            return
        now = self.env.now()
        for record, row in dumped:
            for name, rule in computed:
                row[name] = rule.value(record, now)

    def _output_fields(self, resource: str, fields: Sequence[str] | None) -> tuple[str, ...]:
        """The readable fields to output (the asked `fields` and `id`, or all readable ones);
        `display_name`, which every answer carries, may be asked for too."""
        readable = self.readable_fields(resource)
        if fields:
            unknown = [name for name in fields if name not in readable and name != "display_name"]
            if unknown:
                raise ValidationFailed({"fields": [f"unknown or unreadable field(s): {', '.join(unknown)}"]})
            readable = tuple(name for name in readable if name in fields or name == "id")
        return readable
