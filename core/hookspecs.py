"""Every hook an addon may implement: the whole plugin contract in one file.

Addons implement hooks with `@core.hookimpl` in their plugin module. Hooks are called
when an app loads its installed addons (in dependency order, the kernel first) and each
returns a list of declarations from `core.declarations`; `None` from an implementation
means "nothing to contribute". A misspelt hook name fails at start-up (`check_pending`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pluggy

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    import click
    from flask import Blueprint, Flask

    from email.message import EmailMessage

    from core.declarations import (
        ApiPath, Dashboard, DataRecord, DetailPanel, DuplicateCheck, EventHandler, GroupedImport, ImportMapping, Job,
        ListAction, MenuItem,
        ModelExtension,
        NotificationKind, Portal, ConsentTopic,
        Summary, View, WebhookEvent,
    )
    from core.env import Env
    from core.models.base import Record

hookspec = pluggy.HookspecMarker("spectrum")

# --- Models ---------------------------------------------------------------------------


@hookspec
def register_models() -> list[type[Record]] | None:
    """Contribute the addon's models.

    Called once when an app loads the addon. Returns `Record` subclasses; each model's
    resource name (its table name unless `__resource__` says otherwise) must be unique
    across installed addons, or installing fails naming both addons.
    """


@hookspec
def extend_models() -> list[ModelExtension] | None:
    """Add fields, relationships or choices to models of addons this addon depends on.

    Called after every `register_models`. Returns `ModelExtension`s; two addons adding
    the same field to one model is an error at install time naming both addons.
    """


# --- Permissions and data --------------------------------------------------------------


@hookspec
def register_data() -> list[DataRecord] | None:
    """Records the addon ships: roles, model access, record rules, stages, settings.

    Called when the addon is installed or upgraded, after its migrations ran. Returns
    `DataRecord`s, each with a stable external id, so loading is idempotent, upgrades
    update in place (and delete records no longer returned) and uninstall removes
    exactly these records. Build roles and rules with `core.declarations.role/access/rule`.
    """


@hookspec
def register_demo_data(seed: int) -> list[DataRecord] | None:
    """Demo records loaded when the addon is installed on a demo database.

    Called after `register_data` when the addon is installed with `--demo` (or on a
    database installed with demo data). `seed` is an integer to seed random generators
    with, so the same seed gives the same records. Returns `DataRecord`s with external
    ids, like `register_data`.
    """


# --- User interface --------------------------------------------------------------------


@hookspec
def register_views() -> list[View] | None:
    """List, form, kanban, detail and search views of the addon's models.

    Called when the app loads. Returns `View`s; a model with no view of a kind gets one
    generated from its metadata, and a later addon's view of the same kind wins.
    """


@hookspec
def register_summaries() -> list[Summary] | None:
    """Totals the database keeps per group of a model's records (boards, reports).

    Called when the app loads and when the addon is installed or upgraded, which (re)builds
    the totals tables. Returns `Summary`s; group-by reads use them when they can.
    """


@hookspec
def register_list_actions() -> list[ListAction] | None:
    """Actions on the ticked records of a model's list (beside assign, set and delete).

    Called when the app loads. Returns `ListAction`s; a list offers the actions of its
    model to users who may read it, and each action's own page checks what it does.
    """


@hookspec
def register_menus() -> list[MenuItem] | None:
    """Navigation entries.

    Called when the app loads. Returns `MenuItem`s; users only see entries for models
    they may read.
    """


@hookspec
def register_dashboards() -> list[Dashboard] | None:
    """Dashboards of KPI tiles and charts computed in SQL.

    Called when the app loads. Tiles and charts are shown only to users who may read
    their model. Returns `core.declarations.Dashboard`s.
    """


@hookspec
def register_detail_panels() -> list[DetailPanel] | None:
    """Blocks added to records' detail pages (timelines, summaries, related boxes).

    Called when the app loads. Returns `DetailPanel`s: each `DetailPanel.applies(resource)`
    chooses the models it is shown for; `render(env, record)` returns its HTML at
    request time.
    """


@hookspec
def register_portals() -> list[Portal] | None:
    """The home page of the portal of a kind of user other than internal staff.

    Called when the app loads. Returns `core.declarations.Portal`s; for a kind that
    several addons give a portal, the last in dependency order wins. Back-office pages
    send a customer or partner to their kind's portal home, or answer 403 when no
    installed addon declares one; the API answers every kind by its record rules alike.
    """


@hookspec
def register_template_dirs() -> list[str] | None:
    """Folders of Jinja2 templates.

    Called when the app loads. Returns folder paths (str); a template in one overrides
    the kernel's (or a dependency's) template of the same name.
    """


# --- Routes, API and CLI ------------------------------------------------------------


@hookspec
def register_blueprints() -> list[Blueprint] | None:
    """Flask blueprints with the addon's own pages and endpoints.

    Called when the app loads, and at install time to look for conflicts. Returns
    `flask.Blueprint`s; a URL rule (and method) that another addon already registers is
    an error at install time naming both addons.
    """


@hookspec
def register_api_actions() -> list[Any] | None:
    """Actions exposed as `POST /api/v1/<resource>/<id>/<action>` (win, lose, merge...).

    Called when the app loads. Returns `core.api.actions.ApiAction` declarations.
    """


@hookspec
def register_notification_kinds() -> list[NotificationKind] | None:
    """Kinds of notification the addon raises with `core.notifications.notify` (an activity
    falling due, a deal changing hands).

    Called when the app loads. Returns `core.declarations.NotificationKind`s; each user
    chooses, per kind, to be told in the app and/or by email.
    """


@hookspec
def register_consent_topics() -> list[ConsentTopic] | None:
    """Consent channels the addon's messages are sent under, with the names their
    readers know them by (campaigns: "Marketing email").

    Called when the app loads. Returns `core.declarations.ConsentTopic`s. The preference
    page reached from an unsubscribe link lists them, beside the channels the reader has
    actually received unsubscribable mail on, so a reader can choose per topic.
    """


@hookspec
def register_duplicate_checks() -> list[DuplicateCheck] | None:
    """How to find probable duplicates of a model's records (a contact with the same email).

    Called when the app loads. Returns `core.declarations.DuplicateCheck`s; the web form
    and the API warn with what they find when a user creates or changes a record.
    """


@hookspec
def register_commands() -> list[click.Command] | None:
    """Commands added under `spectrum` (`spectrum contacts duplicates`).

    Called when the CLI builds the app, for installed addons only. Returns
    `click.Command`s (groups too).
    """


# --- Jobs and events -----------------------------------------------------------------


@hookspec
def register_jobs() -> list[Job] | None:
    """Tasks and periodic sweeps.

    Called when the app loads. Returns `Job`s with unique names; the worker (in-process
    or Celery) schedules the periodic ones. Sweeps must be idempotent.
    """


@hookspec
def register_event_handlers() -> list[EventHandler] | None:
    """Handlers for blinker signals (record created, opportunity won, ...).

    Called when the app loads. Returns `EventHandler`s. Handlers run only in apps where
    the addon is installed; one that raises is logged and its writes are undone alone,
    unless it is declared `transactional`, in which case the emitting write fails too.
    """


@hookspec
def register_webhook_events() -> list[WebhookEvent] | None:
    """Addon events that webhook subscriptions may receive (`sales.opportunity_won`).

    Called when the app loads. Returns `WebhookEvent`s naming a blinker signal and how
    to turn it into a JSON payload. Record events (`<resource>.created`, `.updated`,
    `.deleted`) exist for every model without being declared.
    """


# --- Money ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def exchange_rate(env: Env, currency: str, on: date) -> Decimal | None:
    """The value of one unit of `currency` (ISO 4217, upper case) in the company currency
    (setting `company_currency`) on the day `on`, from the rates an addon keeps.

    Called through `core.money.rate_to_company`, by any addon converting an amount (gifts,
    shop orders, analytics' facts), never for the company currency itself. Read as `env`
    through `env.records`. Return None when you keep no rate for that currency and day,
    so that the next addon may answer; the first rate returned wins, and None from every
    addon means the amount cannot be converted.
    """


# --- Mail ----------------------------------------------------------------------------


@hookspec(firstresult=True)
def claim_inbound_message(message: EmailMessage) -> Callable[[Env, EmailMessage], Any] | None:
    """Claim an inbound email (a ticket reply, a campaign reply, a web-form notification).

    Called for every message that arrives through the inbound endpoint or
    `spectrum mail ingest`, once per message, after the kernel checked it is not a
    bounce. `message` is the parsed RFC 822 message (`email.message.EmailMessage`);
    look at its headers (To, In-Reply-To, References, Subject) only, do no writes here.
    Return a handler `handler(env, message)` to take the message: the kernel calls it
    with a system `Env` inside a savepoint, commits what it wrote and records its
    return value (JSON-ready) in the inbound log. Return None to let the next addon
    look; the first handler returned wins, and a message nobody claims is logged as
    unclaimed for an administrator to see.
    """


# --- Import and export ---------------------------------------------------------------


@hookspec
def register_import_mappings() -> list[ImportMapping] | None:
    """Named CSV column mappings for `spectrum import` and the import page.

    Called when the app loads. Returns `ImportMapping`s, found by name.
    """


@hookspec
def register_grouped_imports() -> list[GroupedImport] | None:
    """CSV imports whose rows come in groups that make one thing each (an order's lines),
    for `spectrum import NAME FILE` and the import page `/import/NAME`.

    Called when the app loads. Returns `GroupedImport`s with unique names; each says how
    to find a row's group and how to write a group (core.records.csv_groups reads the
    file, reports bad lines by number and commits a batch of groups at a time).
    """


@hookspec
def register_api_paths() -> list[ApiPath] | None:
    """Descriptions of endpoints the addon's blueprints serve, for the OpenAPI document.

    Called when the OpenAPI document is built. Returns `ApiPath`s (a path, its operations
    and the schemas they name); the record endpoints are described without this hook.
    """


# --- Lifecycle -----------------------------------------------------------------------


@hookspec
def app_ready(app: Flask) -> None:
    """Called once after every installed addon is loaded into `app`. Returns nothing."""
