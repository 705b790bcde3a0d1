"""The CSV import at the database's pace (PostgreSQL): staged by COPY, checked in SQL,
inserted in batches.

Creating records one by one (validation, an ORM instance, `before_save`, the session, an
event each) cost four times what PostgreSQL needs to put the same rows into their table.
Here Python only reads the file and streams its cells, trimmed, into a temporary staging
table with COPY (one text column per mapped field, and the line number), running the
model's batch `before_save` (`Record.before_save_batch`) on a few thousand rows at a time.
The file goes a chunk of INSERT_BATCH rows at a time: a thread reads and prepares the next
chunk (core.records.csv_chunks) while the database checks and writes this one, all in SQL
over the chunk's lines of the staging table:

- lines whose key (`ImportMapping.key`) names a record the user can see (all the chunk's
  keys at once, through the key's index), or repeats the key of an earlier line of the
  chunk, are set apart: they are updates, read back and written through the records
  service one by one (`write_rows`, the row path), after the chunk's new records (a key
  of an earlier chunk names the record that chunk created);
- the other lines are checked in one scan, with the checks and messages of the model's
  input schema (core.records.schemas) and links found by id or by display name among
  the records the user may read (as they were before the import); every bad line is
  reported by number;
- the good ones are inserted: one INSERT ... SELECT of the records (in the order of the
  model's default-order index), their tags and their audit entries each; the records the
  user's record rules would not let them create are refused, and one `records_created`
  event announces the chunk.

The caller rolls everything back when any line is bad, as with the row path. Only models
whose `before_save` has a batch form, whose fields are of kinds checked here, and whose
every `record_created` handler takes batches are imported so (`StagedImport.refusal`);
the others take the row path.
"""
from __future__ import annotations

import csv
import functools
import itertools
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping

from marshmallow import fields as schema_fields
from sqlalchemy import (Column, Date, DateTime, Integer, MetaData, Numeric, Table, Text, and_, bindparam, case, cast,
                        any_, exists, false, func, insert, literal, null, or_, select, text, true, union,
                        union_all)
from sqlalchemy.dialects.postgresql import ARRAY, REGCLASS, array
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import True_

from core import signals
from core.db import db
from core.events import batches_welcome, emit
from core.models.meta import AUDIT_FIELDS, SINGLE_LINE_KINDS, TEXT_KINDS
from core.models.sorting import order_columns
from core.models.tags import Tag
from core.records.audit import AuditEntry
from core.records.csv_chunks import ChunkReader
from core.records.errors import AccessDenied
from core.records.schemas import INT_MAX, INT_MIN, PHONE_CHARACTERS, PHONE_LENGTHS, URL_PATTERN

if TYPE_CHECKING:
    from core.records.csv_columns import RowReader
    from core.records.service import RecordService

__all__ = ["StagedImport", "INSERT_BATCH", "KINDS"]

#: CSV rows read, checked and inserted (and announced) at a time: a chunk (the first ones are shorter).
INSERT_BATCH = 50_000
#: The statistics target of the staging table's columns (PostgreSQL's default is 100).
_STATISTICS = 10
#: Update lines read back from the staging table at a time.
_UPDATE_ROWS = 500
#: Field kinds the checks here cover.
KINDS = frozenset({"text", "longtext", "email", "url", "phone", "choice", "integer", "decimal", "boolean", "date", "datetime",
                   "many2one", "tags"})

# marshmallow's Email validator (dot-atom user part; a domain name, an IPv4 literal or
# localhost): the user part's \w is Python's (see _email_pattern).
_NAME = "[A-Z0-9\u00a1-\uffff]"
_EMAIL = (r"^{atom}(\.{atom})*@((?:" + _NAME + r"(?:[-A-Z0-9\u00a1-\uffff]{{0,61}}" + _NAME + r")?\.)+"
          r"(?:[A-Z\u00a1-\uffff]{{2,6}}|[-A-Z0-9\u00a1-\uffff]{{2,}})"
          r"|\[(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){{3}}\]|localhost)$")
# Most addresses, read ten times faster than by _EMAIL, whose language holds this one's
# (below 65 characters, no label is longer than 63). Its user part may have the accented
# letters of Latin alphabets (U+00C0 to U+024F but for the signs U+00D7 and U+00F7), all
# letters for Python's \w as well.
_COMMON_USER = r"[A-Za-z0-9_%+\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f-]+"
_COMMON_EMAIL = rf"^{_COMMON_USER}(\.{_COMMON_USER})*@([A-Za-z0-9]+(-+[A-Za-z0-9]+)*\.)+[A-Za-z]{{2,6}}$"
_COMMON_EMAIL_LENGTH = 64
# The schema's URL pattern ends with a lookahead PostgreSQL's brackets cannot spell.
_URL = URL_PATTERN.removesuffix("(?![\\s\\S])") + "$"
_LINE_BREAKS = "[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]"
_DIGITS = "^[0-9]+$"
_INTEGER = r"^[+-]?[0-9]+$"
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$"
_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_TIME = r"([T ]([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?)?"
_ZONE = r"(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)"
_DATETIME = _DATE[:-1] + _TIME + _ZONE + "?$"
_BOOLEANS = (sorted(str(value) for value in schema_fields.Boolean.truthy if isinstance(value, str)),
             sorted(str(value) for value in schema_fields.Boolean.falsy if isinstance(value, str)))
_REQUIRED = "This field is required."
_RANGE = f"Must be greater than or equal to {INT_MIN} and less than or equal to {INT_MAX}."
_REFUSED = "you may not create this {} record: no record rule of your roles allows these values"
_sequence = itertools.count(1)
#: The staging table's column of the import key in lower case.
_FOLDED = "spectrum_folded_key"
#: A statement not built yet (None is one that has nothing to do).
_UNBUILT = object()


class StagedImport:
    """One import of CSV rows into `resource` through a staging table (see the module)."""

    @staticmethod
    def refusal(service: RecordService, resource: str, columns: Mapping[str, str]) -> str | None:
        """Why the rows of `columns` (header -> field) cannot be imported into `resource`
        here (then they take the row path), or None when they can."""
        if db.session.get_bind().dialect.name != "postgresql":
            return "staging needs PostgreSQL"
        meta = service.meta(resource)
        model = meta.model
        if not model.has_batch_before_save():
            return f"{model.__name__}.before_save has no batch form (before_save_batch)"
        if not batches_welcome(resource, service.env.platform.loaded):
            return f"a record_created handler of {resource} has no batch form"
        for name in columns.values():
            field = meta.fields[name]
            if field.kind not in KINDS or field.validators or field.kind == "many2many":
                return f"field {name!r} ({field.kind}) is checked by its schema only"
            if field.kind == "many2one":
                target = service.models.by_table(field.relation or "")
                if target is None or not service.policy.can(target, "read"):
                    return f"field {name!r} links to records the user may not read"
            column = model.__table__.c.get(name)
            if column is not None and column.server_default is not None and _default(column) is None:
                return f"column {name!r} has a server default"
        derived = set(model.__batch_sets__)
        for column in model.__table__.c:
            if column.key in AUDIT_FIELDS or column.key in columns.values() or column.key in derived:
                continue
            if column.default is not None and not column.default.is_scalar:
                return f"column {column.key!r} has a computed default"
        return None

    def __init__(self, service: RecordService, resource: str, columns: Mapping[str, str], key: str | None,
                 rows: RowReader) -> None:
        self.service = service
        self.resource = resource
        self.meta = service.meta(resource)
        self.model = self.meta.model
        self.key = key
        self.rows = rows
        self.mapped = list(dict.fromkeys(columns.values()))
        self.plan = [(header, name, self.meta.fields[name].kind) for header, name in columns.items()]
        self.derived = [name for name in self.model.__batch_sets__ if name not in self.mapped]
        name = f"spectrum_import_{next(_sequence)}"
        metadata = MetaData()
        self.staging = Table(name, metadata, Column("line", Integer),
                             *[Column(field, Text) for field in self.mapped + self.derived],
                             *([Column(_FOLDED, Text)] if key else []))
        self.errors = Table(f"{name}_errors", metadata, Column("seq", Integer), Column("line", Integer),
                            Column("field", Text), Column("message", Text))
        self.updates = Table(f"{name}_updates", metadata, Column("line", Integer))
        self.ids = Table(f"{name}_ids", metadata, Column("line", Integer), Column("id", Integer))
        self.links = {field: Table(f"{name}_link_{index}", metadata, Column("name", Text), Column("id", Integer),
                                   Column("found", Integer), Column("problem", Text))
                      for index, field in enumerate(self.mapped) if self.meta.fields[field].kind == "many2one"}
        self.statements = 0
        #: Whether the user may create records here (None until a chunk has some to create).
        self.creatable: bool | None = None
        self.insert_statement: Any = None
        self.check_statement: Any = _UNBUILT
        #: The last line staged when the staging table was last analyzed.
        self.analyzed = 0
        #: The sequence that numbers the model's records (read with the first chunk's numbers).
        self.sequence: str | None = None

    # -- the steps ----------------------------------------------------------------------
    def run(self, reader: csv.DictReader, report: Any, error: Callable[[int, dict[str, Any]], None],
            write_rows: Callable[[list[tuple[int, dict[str, Any]]]], None],
            progress: Callable[[int], None] | None, every: int) -> None:
        """Stage the rows of `reader`, check them and write them, a chunk of INSERT_BATCH
        rows at a time: a thread reads the next chunk (core.records.csv_chunks) while this
        one is checked and written. Bad lines are given to `error(line, {field: [messages]})`,
        and lines for the row path to `write_rows` (a list of (line, values)) in the order
        of the file. Counts go to `report`."""
        self._create_tables()
        columns = [column.name for column in self.staging.columns if column.name not in ("line", _FOLDED)]
        prepare = functools.partial(self.model.before_save_batch, self.service.env)
        with ChunkReader(reader, self.plan, columns, prepare, INSERT_BATCH) as chunks:
            for chunk in chunks:
                if progress:
                    for done in range(report.rows + every - report.rows % every, report.rows + chunk.rows + 1,
                                      every):
                        progress(done)
                report.rows += chunk.rows
                for line, errors in chunk.errors:
                    error(line, errors)
                self._copy(columns, chunk.text)
                chunk.text = ""  # memory holds the chunks read ahead, not this one
                self._process(chunk.low, chunk.high, report, error, write_rows)
        for line, errors in self._reported():
            error(line, errors)

    def _process(self, low: int, high: int, report: Any, error: Callable[[int, dict[str, Any]], None],
                 write_rows: Callable[[list[tuple[int, dict[str, Any]]]], None]) -> None:
        """Check and write the staged lines `low` to `high` (one chunk)."""
        window = self.staging.c.line.between(low, high)
        # Figures of the lines staged so far: planned for the first chunk's, the SQL of a
        # longer one joins it to the records by the worst of ways. Taken again each time
        # the staged lines have doubled: in between, the planner reads the range of the
        # line numbers from their index and the size from the table's.
        if high >= 2 * self.analyzed:
            self._execute(text(f"ANALYZE {self._quoted(self.staging)}"))
            self.analyzed = high
        if self.key:
            self._set_updates_apart(low, high)
        for field in self.links:
            self._resolve_names(field, window)
        self._check(low, high)
        self._number_creators(window)
        self._insert(low, high, report, error, write_rows)
        self._write_updates(low, high, error, write_rows)

    def _create_tables(self) -> None:
        staging = ", ".join(["line integer PRIMARY KEY", *[f"{self._quote(c.name)} text"
                                                         for c in self.staging.columns
                                                         if c.name not in ("line", _FOLDED)]])
        if self.key:  # the key in lower case, made by COPY as it stores each line
            staging += f", {_FOLDED} text GENERATED ALWAYS AS (lower({self._quote(self.key)})) STORED"
        ddl = [f"CREATE TEMP TABLE {self._quoted(self.staging)} ({staging}) ON COMMIT DROP",
               f"CREATE TEMP TABLE {self._quoted(self.errors)} (seq serial, line integer, field text, message text)"
               " ON COMMIT DROP",
               f"CREATE TEMP TABLE {self._quoted(self.updates)} (line integer PRIMARY KEY) ON COMMIT DROP",
               f"CREATE TEMP TABLE {self._quoted(self.ids)} (line integer PRIMARY KEY, id integer) ON COMMIT DROP",
               *[f"CREATE TEMP TABLE {self._quoted(table)} (name text PRIMARY KEY, id integer, found integer, "
                 "problem text) ON COMMIT DROP" for table in self.links.values()]]
        # The plans need the size of a chunk and the spread of its values, not their
        # detail: ANALYZE of a chunk then reads a tenth of the rows it would.
        ddl += [f"ALTER TABLE {self._quoted(self.staging)} ALTER COLUMN {self._quote(column.name)} "
                f"SET STATISTICS {_STATISTICS}" for column in self.staging.columns]
        for statement in ddl:
            self._execute(text(statement))

    def _copy(self, columns: list[str], rows: str) -> None:
        """COPY `rows` (COPY text, line number first) into the staging table."""
        if not rows:
            return
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        names = ", ".join(map(self._quote, columns))
        with cursor.copy(f"COPY {self._quoted(self.staging)} (line, {names}) FROM STDIN") as copy:
            copy.write(rows)
        self.statements += 1

    def _set_updates_apart(self, low: int, high: int) -> None:
        """Lines `low` to `high` whose key names a record the user can see (as given, or in
        lower case), or repeats the key of an earlier line of the chunk (in any case), go
        to the row path as updates. The records are found through the key's index, all the
        chunk's keys at once (a join would read the whole table for each chunk). A line
        repeating an earlier chunk's key names the record that line created: it is found
        so too, as the row path would find it."""
        staging = self.staging
        line, staged, folded = staging.c.line, staging.c[self.key], staging.c[_FOLDED]
        window = line.between(low, high)
        column = getattr(self.model, self.key)
        given = union_all(select(staged).where(window, staged.isnot(None)),
                          select(folded).where(window, staged != folded)).subquery()
        # ANY of one array (the subquery's result), not ANY of a subquery's rows.
        keys = cast(select(func.array_agg(given.c[0])).scalar_subquery(), ARRAY(Text))
        stored = (self.service.select(self.resource).with_only_columns(column.label("key"))
                  .where(column == any_(keys)).subquery())
        named = or_(staged.in_(select(stored.c.key)), and_(staged != folded, folded.in_(select(stored.c.key))))
        # Keys given more than once, with their first line: grouped in a hash, as sorting
        # the chunk's keys (for a window function) costs twice as much.
        repeated = (select(folded.label("key"), func.min(line).label("first")).where(window, staged.isnot(None))
                    .group_by(folded).having(func.count() > 1).subquery())
        later = select(line).join(repeated, repeated.c.key == folded).where(window, line > repeated.c.first)
        self._execute(_insert_ignoring(self.updates, union(select(line).where(window, named), later)))

    def _creator(self) -> Any:
        """The condition of a staged line that creates a record."""
        return ~exists().where(self.updates.c.line == self.staging.c.line)

    def _resolve_names(self, name: str, window: Any) -> None:
        """Add to the link table of many-to-one field `name` each name a creating line of
        the `window` gives (not an id) that an earlier chunk did not: the id of the one
        record the user may read by that display name (exactly, else in any case), or why
        there is none."""
        field = self.meta.fields[name]
        links = self.links[name]
        given = self.staging.c[name]
        names = (select(given.label("name")).where(window, given.isnot(None), ~given.regexp_match(_DIGITS),
                                                   self._creator(), ~exists().where(links.c.name == given))
                 .distinct().subquery())
        target = self.service.models.by_table(field.relation or "")
        model = self.service.models.get(target)
        display = self.service.meta(target).display_field
        if display not in model.__table__.c:
            self._execute(insert(links).from_select(["name", "found"], select(names.c.name, literal(0))))
            self._execute(links.update().where(links.c.problem.is_(None)).values(
                problem=f"give the id of the {target} record: they cannot be found by name"))
            return
        visible = self._before_import(target, self.service.select(target).with_only_columns(
            model.id, getattr(model, display))).subquery()
        shown = visible.c[display]
        self._execute(insert(links).from_select(["name", "id", "found"], select(
            names.c.name, func.min(visible.c.id), func.count(visible.c.id)).select_from(
            names.outerjoin(visible, shown == names.c.name)).group_by(names.c.name)))
        folded = (select(links.c.name, func.min(visible.c.id).label("id"), func.count().label("found"))
                  .select_from(links.join(visible, func.lower(shown) == func.lower(links.c.name)))
                  .where(links.c.found == 0, links.c.problem.is_(None)).group_by(links.c.name).subquery())
        self._execute(links.update().where(links.c.name == folded.c.name)
                      .values(id=folded.c.id, found=folded.c.found))
        problems = [{"n": found_name, "p": (f"no {target} record named {found_name!r} that you can see" if not found
                                            else f"several {target} records are named {found_name!r}: "
                                                 "give the id instead")}
                    for found_name, found in db.session.execute(
                        select(links.c.name, links.c.found).where(links.c.found != 1, links.c.problem.is_(None)))]
        if problems:
            db.session.execute(links.update().where(links.c.name == bindparam("n")).values(problem=bindparam("p")),
                               problems)
            self.statements += 1

    def _check(self, low: int, high: int) -> None:
        """Record every problem of the creating lines `low` to `high`, in one scan (the
        statement is built with the first chunk)."""
        if self.check_statement is _UNBUILT:
            self.check_statement = self._check_statement()
        if self.check_statement is not None:
            self._execute(self.check_statement, {"low": low, "high": high})

    def _check_statement(self) -> Any:
        """INSERT INTO the errors table every problem of the creating lines :low to :high:
        the messages of a line with a problem are gathered in an array, then spread over
        rows. None when the fields have nothing to check."""
        single_line = [self.staging.c[name] for name in self.mapped if self.meta.fields[name].kind in SINGLE_LINE_KINDS]
        # Whether any single-line value of a line breaks, tested once a line (OFFSET 0 keeps
        # it from being copied into each field's test): a field is tested only then.
        breaks = (select(func.concat(*single_line).regexp_match(_LINE_BREAKS).label("any")).correlate(self.staging)
                  .offset(0).lateral("breaks") if single_line else None)
        checks = [(name, message) for name in self.meta.fields
                  for message in self._field_checks(name, None if breaks is None else breaks.c["any"])]
        if not checks:
            return None
        rows = self.staging if breaks is None else self.staging.join(breaks, true())
        window = self.staging.c.line.between(bindparam("low"), bindparam("high"))
        # The messages are gathered only for a line that has one (most have none).
        bad = (select(self.staging.c.line, array([cast(message, Text) for _, message in checks]).label("messages"))
               .select_from(rows).where(window, self._creator(), or_(*[message.isnot(None) for _, message in checks]))
               .subquery())
        found = func.unnest(array([literal(name, Text) for name, _ in checks]),
                            bad.c.messages).table_valued("field", "message").render_derived()
        return insert(self.errors).from_select(["line", "field", "message"], select(
            bad.c.line, found.c.field, found.c.message).select_from(bad).join(found, true())
            .where(found.c.message.isnot(None)))

    def _field_checks(self, name: str, any_break: Any) -> list[Any]:
        """SQL expressions, each the message of one problem of field `name` in a staged
        line (NULL where there is none), in the order the input schema reports them;
        `any_break` says whether a single-line value of the line breaks."""
        field = self.meta.fields[name]
        if name not in self.mapped:
            return [literal(_REQUIRED)] if field.required and field.name not in AUDIT_FIELDS and field.writable \
                else []
        value = self.staging.c[name]
        kind = field.kind
        checks: list[Any] = []

        def problem(condition: Any, message: Any) -> None:
            checks.append(case((and_(value.isnot(None), condition), message), else_=null()))

        if field.required:
            checks.append(case((value.is_(None), _REQUIRED), else_=null()))
        if kind == "email":
            problem(~_valid_email(value), "Not a valid email address.")
        if kind == "url":
            problem(~value.regexp_match(_URL), "Not a valid URL.")
        if kind in TEXT_KINDS:
            if field.max_length:
                problem(func.char_length(value) > field.max_length, f"Longer than maximum length {field.max_length}.")
            if field.choices:
                problem(value.notin_([choice for choice, _ in field.choices]),
                        f"Must be one of: {', '.join(str(choice) for choice, _ in field.choices)}.")
            if kind == "phone":
                problem(~_valid_phone(value), "Not a valid phone number.")
            if kind in SINGLE_LINE_KINDS:
                problem(and_(any_break, value.regexp_match(_LINE_BREAKS)), "Must be a single line.")
        elif kind == "integer":
            checks.append(case((value.is_(None), null()), (~value.regexp_match(_INTEGER), "Not a valid integer."),
                               (_out_of(value, INT_MIN, INT_MAX), _RANGE), else_=null()))
        elif kind == "decimal":
            checks.append(case((value.is_(None), null()), (~value.regexp_match(_NUMBER), "Not a valid number."),
                               *([(func.abs(cast(value, Numeric)) >= 10 ** (field.digits[0] - field.digits[1]),
                                   f"Must have at most {field.digits[0] - field.digits[1]} digits before the point.")]
                                 if field.digits else []), else_=null()))
        elif kind == "boolean":
            problem(value.notin_(_BOOLEANS[0] + _BOOLEANS[1]), "Not a valid boolean.")
        elif kind == "date":
            problem(~_valid_date(value, _DATE), "Not a valid date.")
        elif kind == "datetime":
            problem(~_valid_date(value, _DATETIME), "Not a valid datetime.")
        elif kind == "many2one":
            checks.append(self._link_check(name, value))
        elif kind == "tags":
            part = func.unnest(func.string_to_array(value, ",")).table_valued("part").render_derived()
            problem(exists().select_from(part).where(func.char_length(func.btrim(part.c.part)) > 60),
                    "Longer than maximum length 60.")
        return checks

    def _before_import(self, target: str, visible: Any) -> Any:
        """`visible` (a select of `target` records) without the records this import has
        created so far: a link finds what was there before the file, whatever the chunk."""
        if target != self.resource:
            return visible
        return visible.where(self.model.id.notin_(select(self.ids.c.id)))

    def _link_check(self, name: str, value: Any) -> Any:
        """The message of a link that is no record id, or names a record the user cannot
        see, or (given by name) no single record."""
        target = self.service.models.by_table(self.meta.fields[name].relation or "")
        model = self.service.models.get(target)
        number = cast(value, Numeric)
        seen = self._before_import(target, self.service.select(target).with_only_columns(literal(1)).where(
            model.id == cast(value, Integer)))
        links = self.links[name]
        return case(
            (value.is_(None), null()),
            (value.regexp_match(_DIGITS), case(
                (_out_of(value, 1, INT_MAX), "Not a valid record id."),
                (~seen.exists(), literal(f"No {target} record #") + cast(number, Text) + " that you can see."),
                else_=null())),
            else_=select(links.c.problem).where(links.c.name == value).scalar_subquery())

    def _number_creators(self, window: Any) -> None:
        """Give each good creating line of the `window` the id of its record-to-be."""
        if self.sequence is None:  # asked once: asked in the statement, it is asked for each line
            self.sequence = db.session.scalar(select(func.pg_get_serial_sequence(self.meta.table, "id")))
        sequence = cast(literal(self.sequence), REGCLASS)
        good = (select(self.staging.c.line).where(
            window, self._creator(), ~exists().where(self.errors.c.line == self.staging.c.line))
            .order_by(self.staging.c.line).subquery())
        self._execute(insert(self.ids).from_select(["line", "id"], select(good.c.line, func.nextval(sequence))))

    def _insert(self, low: int, high: int, report: Any, error: Callable[[int, dict[str, Any]], None],
                write_rows: Callable[[list[tuple[int, dict[str, Any]]]], None]) -> None:
        """Insert the records of the numbered lines `low` to `high`, their tags and audit
        entries, and announce them in one `records_created` event."""
        window = self.ids.c.line.between(low, high)
        first = db.session.scalar(select(func.min(self.ids.c.line)).where(window))
        if first is None or self.creatable is False:
            return
        if self.creatable is None:
            try:
                self.service.policy.require(self.resource, "create")
                self.service.require_creatable(self.resource)
            except AccessDenied as refused:  # the user may not create at all: say it once
                error(first, {"_row": [str(refused)]})
                self.creatable = False
                return
            self.creatable = True
            self.insert_statement = self._insert_statement()
        self._create_tags(window)
        try:
            with db.session.begin_nested():
                self._execute(self.insert_statement, {"low": low, "high": high})
        except IntegrityError:
            # A value the database refuses (a unique one): the row path names its line.
            write_rows(self._values(select(self.staging).join(self.ids, self.ids.c.line == self.staging.c.line)
                                    .where(window).order_by(self.staging.c.line), error)[0])
            return
        self._link_tags(window)
        refused = self._refused(window)
        for line in refused:
            error(line, {"_row": [_REFUSED.format(self.resource)]})
        self._execute(insert(AuditEntry.__table__).from_select(
            ["at", "user_id", "model", "record_id", "action"],
            select(literal(self.service.env.now(), AuditEntry.__table__.c.at.type),
                   literal(self.service.env.user.id if self.service.env.user else None, Integer),
                   literal(self.resource), self.ids.c.id, literal("create")).where(window)))
        ids = [record_id for line, record_id in db.session.execute(
            select(self.ids.c.line, self.ids.c.id).where(window).order_by(self.ids.c.line)) if line not in refused]
        report.created += len(ids)
        if ids:
            emit(signals.records_created, self.resource, ids=ids, env=self.service.env)

    def _insert_statement(self) -> Any:
        """INSERT INTO the model's table the records of the creating lines of a window of
        lines (:low to :high), with the ids given them."""
        table = self.model.__table__
        env = self.service.env
        now, author = env.now(), env.user.id if env.user else None
        values: dict[str, Any] = {"id": self.ids.c.id, "created_at": literal(now, table.c.created_at.type),
                                  "updated_at": literal(now, table.c.updated_at.type),
                                  "created_by": literal(author, Integer), "updated_by": literal(author, Integer),
                                  "version": literal(1)}
        for column in table.c:
            name = column.key
            if name in values or name not in self.meta.fields or not self.meta.fields[name].is_column:
                continue
            default = _default(column)
            if name in self.mapped or name in self.derived:
                value = self._typed(name, self.staging.c[name])
                values[name] = value if default is None else func.coalesce(value, literal(default, column.type))
            elif default is not None:
                values[name] = literal(default, column.type)
        source = (select(*values.values()).select_from(self.ids.join(self.staging, self.staging.c.line == self.ids.c.line))
                  .where(self.ids.c.line.between(bindparam("low"), bindparam("high")))
                  .order_by(*self._index_order(values)))
        return insert(table).from_select(list(values), source)

    def _index_order(self, values: Mapping[str, Any]) -> list[Any]:
        """The order to insert a chunk in, given the inserted `values` by column: as the
        index of the model's default order keeps its entries (the lists behind an owner
        have it too), so that the chunk's entries go in side by side rather than each at
        a random place. Contacts: the insert costs about a quarter less. Only the columns
        the file gives count: the ids are given in the order of the file, and the primary
        key's index takes them best in that order."""
        order = []
        for column in order_columns(self.model, self.model.__order__) or []:
            if column.name not in self.mapped and column.name not in self.derived:
                continue
            value = values[column.name].desc() if column.descending else values[column.name].asc()
            order.append(value.nulls_first() if column.nulls_first else value.nulls_last())
        return order

    def _typed(self, name: str, value: Any) -> Any:
        """The staged text of field `name` as its column's type."""
        field = self.meta.fields[name]
        kind = field.kind
        if kind in ("integer",):
            return cast(value, Integer)
        if kind in ("decimal", "money"):
            return cast(value, Numeric)
        if kind == "boolean":
            return case((value.in_(_BOOLEANS[0]), true()), (value.in_(_BOOLEANS[1]), false()), else_=null())
        if kind == "date":
            return cast(value, Date)
        if kind == "datetime":
            return case((value.regexp_match(_ZONE + "$"), cast(value, DateTime(timezone=True))),
                        else_=func.timezone("UTC", cast(value, DateTime())))
        if kind == "many2one":
            links = self.links.get(name)
            by_name = select(links.c.id).where(links.c.name == value).scalar_subquery() if links is not None else null()
            return case((value.regexp_match(_DIGITS), cast(value, Integer)), else_=by_name)
        return value

    def _create_tags(self, window: Any) -> None:
        """Create the tags the numbered lines of the `window` name that do not exist yet,
        through the service (as tagging a record does); one query finds them."""
        for name, field in self.meta.fields.items():
            if field.kind != "tags" or name not in self.mapped:
                continue
            part = func.unnest(func.string_to_array(self.staging.c[name], ",")).table_valued("part").render_derived()
            wanted = (select(func.lower(func.btrim(part.c.part)).label("name")).select_from(self.staging)
                      .join(part, true()).join(self.ids, self.ids.c.line == self.staging.c.line)
                      .where(window, func.btrim(part.c.part) != "").distinct().subquery())
            missing = select(wanted.c.name).where(~exists().where(Tag.__table__.c.name == wanted.c.name))
            system = self.service.env.sudo().records
            for tag in db.session.scalars(missing).all():
                system.create("tags", {"name": tag})

    def _link_tags(self, window: Any) -> None:
        for name, field in self.meta.fields.items():
            if field.kind != "tags" or name not in self.mapped:
                continue
            relationship = self.model.__mapper__.relationships[name]
            (_, record_column), = relationship.synchronize_pairs
            (_, tag_column), = relationship.secondary_synchronize_pairs
            part = func.unnest(func.string_to_array(self.staging.c[name], ",")).table_valued("part").render_derived()
            tags = Tag.__table__
            self._execute(insert(relationship.secondary).from_select([record_column.key, tag_column.key], select(
                self.ids.c.id, tags.c.id).select_from(self.ids).join(self.staging, self.staging.c.line == self.ids.c.line)
                .join(part, true()).join(tags, tags.c.name == func.lower(func.btrim(part.c.part)))
                .where(window).distinct()))

    def _refused(self, window: Any) -> set[int]:
        """Lines of the window whose records the user's record rules do not let them create."""
        predicate = self.service.policy.predicate(self.model, "create")
        if isinstance(predicate, True_):
            return set()
        table = self.model.__table__
        return set(db.session.scalars(select(self.ids.c.line).select_from(
            self.ids.join(table, table.c.id == self.ids.c.id)).where(window, ~func.coalesce(predicate, false()))))

    def _write_updates(self, low: int, high: int, error: Callable[[int, dict[str, Any]], None],
                       write_rows: Callable[[list[tuple[int, dict[str, Any]]]], None]) -> None:
        """Give the update lines `low` to `high` to the row path, in the order of the file,
        a few at a time."""
        last = low - 1
        while True:
            statement = (select(self.staging).join(self.updates, self.updates.c.line == self.staging.c.line)
                         .where(self.staging.c.line > last, self.staging.c.line <= high)
                         .order_by(self.staging.c.line).limit(_UPDATE_ROWS))
            pending, last = self._values(statement, error)
            if last is None:
                return
            write_rows(pending)

    def _values(self, statement: Any, error: Callable[[int, dict[str, Any]], None]
                ) -> tuple[list[tuple[int, dict[str, Any]]], int | None]:
        """((line, values) of the staged lines `statement` reads, as the row path takes them,
        the last line read or None); lines with a link the RowReader cannot find are reported."""
        pending = []
        last = None
        for row in db.session.execute(statement).mappings().all():
            last = row["line"]
            cells = {name: row[name] for name in self.mapped if row[name] is not None}
            values, problems = self.rows.field_values(cells)
            if problems:
                error(row["line"], problems)
            else:
                pending.append((row["line"], values))
        return pending, last

    def _reported(self) -> list[tuple[int, dict[str, list[str]]]]:
        """The problems found in SQL, by line, each line's by field in the model's order."""
        order = {name: index for index, name in enumerate(self.meta.fields)}
        found: dict[int, dict[str, list[str]]] = {}
        for line, field, message in db.session.execute(select(self.errors.c.line, self.errors.c.field,
                                                              self.errors.c.message).order_by(self.errors.c.line,
                                                                                              self.errors.c.seq)):
            found.setdefault(line, {}).setdefault(field, []).append(message)
        return [(line, dict(sorted(errors.items(), key=lambda item: order.get(item[0], -1))))
                for line, errors in found.items()]

    # -- helpers --------------------------------------------------------------------------
    def _execute(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> None:
        db.session.execute(statement, parameters or {})
        self.statements += 1

    def _quote(self, name: str) -> str:
        return db.session.get_bind().dialect.identifier_preparer.quote(name)

    def _quoted(self, table: Table) -> str:
        return self._quote(table.name)


def _insert_ignoring(table: Table, rows: Any) -> Any:
    return pg_insert(table).from_select(["line"], rows).on_conflict_do_nothing()


def _out_of(value: Any, low: int, high: int) -> Any:
    """Whether digits `value` (signed) are outside [low, high], without a cast that overflows."""
    digits = func.ltrim(func.ltrim(value, "+-"), "0")
    number = cast(value, Numeric)
    return case((func.char_length(digits) > 10, true()), else_=(number < low) | (number > high))


def _valid_email(value: Any) -> Any:
    """Whether `value` is an address marshmallow's Email validator takes."""
    common = and_(func.char_length(value) <= _COMMON_EMAIL_LENGTH, value.regexp_match(_COMMON_EMAIL))
    return case((common, true()), else_=value.regexp_match(_email_pattern(), flags="i"))


@functools.cache
def _email_pattern() -> str:
    """_EMAIL with the user part's characters as Python reads \\w (letters and digits,
    str.isalnum, and "_"), spelled as ranges of the Basic Multilingual Plane: PostgreSQL's
    own \\w depends on the cluster's locale (ASCII only without one), and a wider class
    would take addresses such as "a×b@example.com" that the schema refuses. (A user part
    with a letter beyond U+FFFF, which the schema takes, is refused.)"""
    runs = re.finditer(r"\w+", "".join(map(chr, range(0x80, 0x10000))))
    ranges = "".join(f"\\u{ord(run.group()[0]):04x}-\\u{ord(run.group()[-1]):04x}" for run in runs)
    return _EMAIL.format(atom=f"[-!#$%&'*+/=?^`{{}}|~A-Za-z0-9_{ranges}]+")


def _valid_phone(value: Any) -> Any:
    """Whether `value` matches the schema's PHONE_PATTERN: tested as its characters, then
    its length, since PostgreSQL reads a bounded repetition ({3,40}) five times slower."""
    low, high = PHONE_LENGTHS
    sign = case((func.left(value, 1) == "+", 1), else_=0)
    return and_(value.regexp_match(rf"^\+?{PHONE_CHARACTERS}*$"), (func.char_length(value) - sign).between(low, high))


def _valid_date(value: Any, pattern: str) -> Any:
    """Whether `value` matches `pattern` (which begins with a date) and its day exists in its month."""
    day = cast(func.substr(value, 9, 2), Integer)
    first = cast(func.substr(value, 1, 8) + "01", Date)
    last_day = func.extract("day", first + text("interval '1 month'") - text("interval '1 day'"))
    return case((~value.regexp_match(pattern), false()), else_=day <= last_day)


def _default(column: Column[Any]) -> Any:
    """The column's plain default value, or None."""
    default = column.default
    return default.arg if default is not None and default.is_scalar else None
