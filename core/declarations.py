"""What addons return from their hooks: small, typed declarations.

Addons build these and return them from the hook implementations listed in
`core.hookspecs`; the kernel turns them into tables, permissions, pages and jobs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Sequence

from blinker import Signal
from sqlalchemy.orm import MappedColumn

__all__ = [
    "ModelExtension", "Ref", "DataRecord", "role", "access", "rule",
    "View", "MenuItem", "Summary", "Job", "EventHandler", "ImportMapping", "GroupedImport", "ApiPath", "WebhookEvent",
    "Kpi", "Chart", "Dashboard", "DetailPanel", "QuickAction", "NotificationKind", "Portal", "DuplicateCheck",
    "ListAction", "ConsentTopic",
]


@dataclass(frozen=True)
class ModelExtension:
    """Fields, relationships and choices an addon adds to another addon's model.

    :param model: resource name of the model extended (`leads`).
    :param fields: new columns, declared with `core.field()` like any other field.
    :param relationships: new ORM relationships (`sqlalchemy.orm.relationship(...)`).
    :param choices: extra (value, label) pairs appended to existing choice fields.
    """

    model: str
    fields: Mapping[str, MappedColumn[Any]] = field(default_factory=dict)
    relationships: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Ref:
    """A reference, inside data values, to another data record by its external id."""

    xid: str


@dataclass(frozen=True)
class DataRecord:
    """A record an addon ships, named by a stable external id (`addon.key`).

    :param xid: external id; the part before the first dot must be the addon's name.
    :param model: resource name of the model.
    :param values: field values; a `Ref` (or list of them) is replaced by the record id.
    :param noupdate: when True, an upgrade leaves an existing record as the admin edited it.
    :param at: the moment the record is made (or, shipped again with the same `xid` later
        in the list, changed), as far as every stamp is concerned: creation and update
        times, the history, times the model sets itself (a ticket solved, a message sent).
        Demo data spread over the past year uses it; None is the load's own time.
    """

    xid: str
    model: str
    values: Mapping[str, Any]
    noupdate: bool = False
    at: datetime | None = None

    @property
    def addon(self) -> str:
        return self.xid.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.xid.split(".", 1)[1]


def role(xid: str, name: str, *, implies: Sequence[str] = (), full_access: bool = False,
         description: str = "") -> DataRecord:
    """A role; `implies` names other roles by external id."""
    return DataRecord(xid, "roles", {
        "name": name, "description": description or None, "full_access": full_access,
        "implied": [Ref(x) for x in implies],
    })


def _ops(ops: str) -> dict[str, bool]:
    unknown = set(ops) - set("rcud")
    if unknown:
        raise ValueError(f"operations {ops!r}: use letters r (read), c (create), u (update), d (delete)")
    return {"read": "r" in ops, "create": "c" in ops, "update": "u" in ops, "delete": "d" in ops}


def access(xid: str, role_xid: str, model: str, ops: str) -> DataRecord:
    """Model access for a role: `ops` is a subset of "rcud"."""
    granted = _ops(ops)
    return DataRecord(xid, "model_access", {
        "role_id": Ref(role_xid), "model": model, **{f"can_{op}": on for op, on in granted.items()},
    })


def rule(xid: str, role_xid: str | None, model: str, domain: Any, name: str, ops: str = "rcud") -> DataRecord:
    """A record rule; `role_xid=None` makes it global (it restricts everybody)."""
    applies = _ops(ops)
    return DataRecord(xid, "record_rules", {
        "name": name, "role_id": Ref(role_xid) if role_xid else None, "model": model, "domain": domain,
        **{f"applies_{op}": on for op, on in applies.items()},
    })


@dataclass(frozen=True)
class View:
    """How the generic UI shows a model.

    :param model: resource name.
    :param kind: "list", "form", "kanban", "detail" or "search".
    :param fields: field names, in order (columns, form fields, card lines).
    :param options: kind-specific settings, such as `group_by` for kanban or `filters`
        (name -> filter-language domain) for search.
    """

    model: str
    kind: str
    fields: Sequence[str] = ()
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """Totals of a model that the database keeps up to date as its records change: a count
    and sums per combination of `group_by` values. A board or a report over millions of
    records then reads a few hundred rows instead of grouping them all.

    The kernel owns the totals table, the triggers that keep it exact (in the same
    transaction as the change, whatever makes it: the records service, a bulk import, a
    cascade, a migration) and its rebuild when the declaring addon is installed or
    upgraded. `core.records.grouping.group_by` answers from it whenever the grouped field,
    the sums, the filter and the user's record rules all stay within these fields.

    :param model: the resource totalled ("opportunities").
    :param table: the name of the totals table ("opportunity_totals").
    :param group_by: fields of the model the totals are kept per; filters and record rules
        on these fields can be answered from the totals.
    :param sums: numeric fields of the model to sum (a missing value counts as 0).
    :param months: date or datetime fields whose month (UTC) the totals are also kept
        per, in a column `<field>_month` holding the month's first day: a pivot by month,
        quarter or year of such a field reads the totals (`core.records.pivot`). Each
        multiplies the totals' rows by the months the records span, so a summary serving
        boards (few rows) is best declared apart from one with months.
    """

    model: str
    table: str
    group_by: tuple[str, ...]
    sums: tuple[str, ...] = ()
    months: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuItem:
    """An entry of the navigation; shown only to users who may read `model`.

    :param key: unique id (`contacts.contacts`); `parent` refers to another item's key.
    :param label: text shown.
    :param model: resource listed when the entry is chosen (or use `url`); with both,
        the entry leads to `url` and is shown only to users who may read `model`.
    :param admin: shown only to administrators (a role with full access), for pages
        such as `/admin/...` that refuse everyone else.
    :param settings: on a top-level entry, a configuration area (teams, stages, policies):
        shown after the work areas, and its models are not among the global search's.
    """

    key: str
    label: str
    model: str | None = None
    url: str | None = None
    parent: str | None = None
    admin: bool = False
    settings: bool = False


@dataclass(frozen=True)
class ListAction:
    """An action on the ticked records of a model's list, beside the kernel's own (assign,
    set a field, delete): the list's bulk form is posted to `url` with the records' `ids`,
    the list's address as `back` and the CSRF token. The page there acts, or asks what
    else it needs first ("Add to segment…" asks which segment).

    :param model: resource whose lists offer it (`contacts`).
    :param label: the button's text.
    :param url: where the ticked records are posted (the addon's route).
    """

    model: str
    label: str
    url: str


@dataclass(frozen=True)
class Job:
    """A task or periodic sweep.

    :param name: unique name (`service_desk.sla_sweep`).
    :param func: called as `func(ctx, **payload)` with a `core.jobs.JobContext`; its
        return value (JSON-ready) is recorded as the run's result. Sweeps must be
        idempotent: derive what is due from the database and claim rows with
        `core.jobs.claim_rows`.
    :param every: run periodically at this interval ...
    :param cron: ... or on this cron expression (5 fields, UTC); neither makes an
        on-demand task, run with `core.jobs.enqueue`.
    :param max_attempts: attempts before a failing run lands in the failed list.
    :param backoff: delay before the first retry; doubled at each further attempt.
    :param timeout: a run still marked running after this long is taken as lost
        (worker killed) and retried.
    :param on_failure: `on_failure(ctx, error)`, called in its own transaction when a
        run lands in the failed list (to mark a message or delivery as failed).
    """

    name: str
    func: Callable[..., Any]
    every: timedelta | None = None
    cron: str | None = None
    description: str = ""
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=30)
    timeout: timedelta = timedelta(hours=1)
    on_failure: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if self.every is not None and self.cron is not None:
            raise ValueError(f"job {self.name!r}: give `every` or `cron`, not both")
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError(f"job {self.name!r}: `every` must be a positive interval")
        if self.cron is not None:
            from croniter import croniter

            if not croniter.is_valid(self.cron):
                raise ValueError(f"job {self.name!r}: {self.cron!r} is not a valid cron expression "
                                 "(five fields: minute hour day-of-month month day-of-week)")
        if self.max_attempts < 1:
            raise ValueError(f"job {self.name!r}: max_attempts must be at least 1")

    @property
    def periodic(self) -> bool:
        """Whether the scheduler runs this job by itself."""
        return self.every is not None or self.cron is not None


@dataclass(frozen=True)
class EventHandler:
    """A function connected to a blinker signal while its addon is loaded.

    :param signal: a signal from `core.signals` or an addon's `signals` module.
    :param func: called as `func(sender, **payload)`.
    :param sender: only events of this sender (a model's resource name) reach `func`.
    :param transactional: when True an exception aborts the emitting transaction;
        otherwise it is logged and the handler's own writes are rolled back alone.
    :param batch: for `core.signals.record_created` only: the same reaction to many new
        records at once, called as `batch(sender, ids=[...], env=...)` on
        `core.signals.records_created` when a batch write (the fast CSV import) creates
        them; it must do what `func` does for each. A model whose created records some
        handler has no batch form for is never written in batches.
    """

    signal: Signal
    func: Callable[..., Any]
    sender: str | None = None
    transactional: bool = False
    batch: Callable[..., Any] | None = None


@dataclass(frozen=True)
class ImportMapping:
    """How CSV columns map onto a model's fields for `spectrum import`.

    :param model: resource name imported into.
    :param columns: CSV header (case-insensitive) -> field name; unmapped headers that
        equal a field name map to it.
    :param key: field used to find an existing record to update (upsert), or None.
    """

    name: str
    model: str
    columns: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True)
class GroupedImport:
    """A CSV import whose rows come in groups, each group making one thing (the lines of
    one order make the order), for `spectrum import NAME FILE` and the page `/import/NAME`.

    The kernel reads the file (core.records.csv_groups), gives each group to `apply` in a
    savepoint of its own and commits a batch of groups at a time: a group `apply` rejects
    writes nothing, the others are kept, and the report names every bad line.

    :param name: what the command and the page call the import ("cart_rescue.orders").
    :param label: the page's title ("Import orders").
    :param model: the resource the groups end in: the page is offered to the users who may
        create its records (`apply` writes through their records service all the same).
    :param group_key: `group_key(row) -> str`: the group of a row (a dict of the file's
        headers to its cells); the rows of a group follow each other in the file.
    :param apply: `apply(env, rows, options) -> str` writes one group, `rows` being its
        (line number, row) pairs, and answers "created", "updated" or "unchanged" (a group
        imported before: importing a file twice changes nothing); it raises
        `core.records.csv_groups.RowsRejected` to reject the group with its bad lines.
    :param options: {name: label} of what the import needs besides the file (the shop the
        orders are of): `--option NAME=VALUE` on the command line, a field of the page
        (prefilled from its query string); passed to `apply` as strings.
    :param help: what the file holds, shown on the page above the file input.
    """

    name: str
    label: str
    model: str
    group_key: Callable[[Mapping[str, str]], str]
    apply: Callable[[Any, list[tuple[int, dict[str, str]]], Mapping[str, str]], str]
    options: Mapping[str, str] = field(default_factory=dict)
    help: str = ""


@dataclass(frozen=True)
class ApiPath:
    """An endpoint an addon's blueprint serves, described in the OpenAPI document
    (`/api/openapi.json`) beside the record endpoints.

    :param path: the URL path in OpenAPI's form (`/api/v1/shops/{shop_id}/events`).
    :param operations: OpenAPI operation objects by lower-case HTTP method; they may refer
        to `#/components/schemas/Problem` (the kernel's problem+json) and to `schemas`.
        An operation not authenticated by a bearer token says so with its own `security`.
    :param schemas: component schemas the operations refer to, by name: a marshmallow
        `Schema` class or a JSON Schema dict.
    """

    path: str
    operations: Mapping[str, Any]
    schemas: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kpi:
    """A number on a dashboard tile.

    :param title: what the number is ("Open tickets").
    :param compute: `compute(env) -> number | str`, computed in SQL through `env.records`.
    :param model: the tile is shown only to users who may read this model.
    :param url: where a click on the tile leads (a filtered list).
    """

    title: str
    compute: Callable[[Any], Any]
    model: str
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart on a dashboard, drawn in the browser by the bundled charting library.

    :param kind: "bar", "line", "funnel", "pie" or "doughnut".
    :param compute: `compute(env) -> {"labels": [...], "series": [{"name": str, "data": [...]}]}`.
    :param model: the chart is shown only to users who may read this model.
    """

    title: str
    kind: str
    compute: Callable[[Any], Mapping[str, Any]]
    model: str


@dataclass(frozen=True)
class Dashboard:
    """A page of KPI tiles and charts (`/dashboards/<key>`); the first one is the home page."""

    key: str
    title: str
    kpis: Sequence[Kpi] = ()
    charts: Sequence[Chart] = ()


@dataclass(frozen=True)
class DuplicateCheck:
    """How to find records of `model` that are probably the same as one just created, or
    changed in one of `fields`: `find(env, record)` returns (other record, reason) pairs the
    env may read. The web form then shows them with a way to go on anyway, and the API
    answers 409 with them unless the caller sends `allow_duplicates=1`."""

    model: str
    fields: tuple[str, ...]
    find: Callable[[Any, Any], list[tuple[Any, str]]]


@dataclass(frozen=True)
class QuickAction:
    """A button in the header of a record page, offered by a detail panel.

    It either posts at once (`post`, with the record's version: "Mark won") or leads to
    the panel's form with some of its inputs preset (`preset`: "Log a call" sets the
    channel to phone) and the cursor in `focus` (an input's name).

    :param label: the button's text.
    :param applies: `applies(record) -> bool`: whether this record gets the button now
        (an open deal can be won; a won one cannot).
    :param post: URL it posts to, with `{id}` replaced by the record's id.
    :param preset: input name -> value set in the panel's form.
    :param focus: name of the panel form's input that gets the cursor.
    :param style: "primary" or "danger" for the button's look, "" for a plain one.
    :param allowed: `allowed(env, record) -> bool`: whether the viewer may use it, for an
        action whose right is not to update the record itself (retrying a journey member
        takes the right to update its journey); None: whoever may update the record.
    """

    label: str
    applies: Callable[[Any], bool] = lambda record: True
    post: str | None = None
    preset: Mapping[str, str] = field(default_factory=dict)
    focus: str | None = None
    style: str = ""
    allowed: Callable[[Any, Any], bool] | None = None


@dataclass(frozen=True)
class DetailPanel:
    """A block an addon adds to the detail page of a record (a timeline, a related summary).

    :param key: unique id of the panel (the page gives it the HTML id `panel-<key>`).
    :param title: heading shown above it.
    :param applies: `applies(resource) -> bool`: which models' detail pages get it.
    :param render: `render(env, record) -> str`: HTML (render a template of the addon).
    :param quick_actions: buttons for the page's header that act through this panel.
    :param replaces: keys of panels this one stands in for where both apply (a ticket's
        conversation shows its messages, so the generic timeline is not shown twice).
    :param covers: resources whose records this panel already lists, so the page does not
        repeat them as a related list.
    :param position: where it stands among the page's panels, lowest first (a record's
        conversation or timeline comes before summaries); equal ones keep their addons' order.
    """

    key: str
    title: str
    applies: Callable[[str], bool]
    render: Callable[[Any, Any], str]
    quick_actions: Sequence[QuickAction] = ()
    replaces: Sequence[str] = ()
    covers: Sequence[str] = ()
    position: int = 100


@dataclass(frozen=True)
class Portal:
    """The home page of the users of one kind other than internal staff (customers,
    partners): the back office (every page behind `core.web.security.login_required`)
    sends them there.

    Several addons may each give the same kind a portal (a customer's tickets, a member's
    memberships): the home is the dependant's when one depends on the other, else the
    first in dependency order, and each portal's menu links to the others by `title`.

    :param kind: the kind of user it serves ("portal", "partner"; see `core.auth.models.USER_KINDS`).
    :param home: the path of the portal's first page ("/portal/").
    :param title: its name in the menus of the other portals of the same kind.
    """

    kind: str
    home: str
    title: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """An addon event that webhook subscriptions may receive (record events need none).

    :param name: the event name subscribers use (`sales.opportunity_won`).
    :param signal: the blinker signal that announces it.
    :param payload: `payload(sender, **kwargs) -> dict`, the JSON-ready `data` sent;
        returning None skips the delivery.
    :param description: one line shown where subscriptions are edited.
    """

    name: str
    signal: Signal
    payload: Callable[..., Mapping[str, Any] | None]
    description: str = ""


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification users receive (`core.notifications.notify`), which each user
    may take in the app, by email, both or neither.

    :param key: unique name (`assignment`, `sales.activity_due`).
    :param label: what the user's preferences call it ("Assigned to me").
    :param in_app: told in the app unless the user says otherwise.
    :param email: told by email unless the user says otherwise.
    """

    key: str
    label: str
    in_app: bool = True
    email: bool = False


@dataclass(frozen=True)
class ConsentTopic:
    """A consent channel an addon sends under, named for the people who receive it: the
    preference page behind every unsubscribe link lists it, so a reader may stop (or take
    again) that kind of message alone.

    :param channel: the consent channel (`email.marketing`, `email.marketing.newsletter`);
        withdrawing it also stops every narrower channel.
    :param label: what the reader sees ("Marketing email").
    :param description: one line under the label ("Offers, events and product news").
    """

    channel: str
    label: str
    description: str = ""
