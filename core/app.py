"""The app factory."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask
from sqlalchemy import inspect, select
from werkzeug.middleware.proxy_fix import ProxyFix

from core.addons.discovery import discover
from core.addons.graph import DependencyError, resolve
from core.addons.loader import build_platform, collect_blueprints
from core.addons.state import InstalledAddon
from core.clock import Clock, SystemClock
from core.config import database_url, load_settings
from core.db import (READS, begin_as, db, enable_sqlite_transactions, ping_idle_connections, plan_for_each_value,
                     send_lists_in_binary)
from core.i18n import init_i18n
from core.json_provider import FastJSONProvider
from core.read_only import begin_read_only_views
from core.records.pagination import SEARCH_PARAMETER
from core.secret_key import resolve_secret_key
from core.write_lock import install_write_locking

__all__ = ["create_app", "installed_addon_names"]

log = logging.getLogger(__name__)


def installed_addon_names() -> list[str]:
    """Names of the addons installed in the app's database (empty on a new database)."""
    if not inspect(db.engine).has_table(InstalledAddon.__tablename__):
        return []
    return list(db.session.scalars(select(InstalledAddon.name)))


def _pool_options(settings: Mapping[str, Any]) -> dict[str, int]:
    """The connection pool's size (SQLite's engine keeps its own pool: left as it is)."""
    if database_url(settings).startswith("sqlite"):
        return {}
    return {"pool_size": int(settings["database_pool_size"]), "max_overflow": int(settings["database_max_overflow"])}


def create_app(overrides: Mapping[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the app for one database, with exactly the addons installed in it.

    :param overrides: settings that win over the defaults (core/default.toml), the deployer's
        file and the environment.
    :param clock: the time source (tests pass a FixedClock).
    :raises core.secret_key.InsecureSecretKey: outside development, without a safe secret key.
    """
    settings = load_settings(overrides)
    # Before anything else: a forgeable key must stop the app, not serve it. Everything that
    # signs (sessions, mail links, web forms) reads the resolved key from the settings.
    settings["secret_key"] = resolve_secret_key(settings)
    logging.basicConfig(level=settings["log_level"])
    # Each migration is announced by the installer's own progress lines; Alembic's
    # per-revision INFO lines would bury them.
    logging.getLogger("alembic.runtime.migration").setLevel(max(logging.WARNING, logging.root.level))
    # 1. Flask and the database connection.
    app = Flask("spectrum", root_path=__file__.rsplit("/", 1)[0], static_folder=None)
    app.config.update(
        SECRET_KEY=settings["secret_key"],
        SQLALCHEMY_DATABASE_URI=database_url(settings),
        SQLALCHEMY_ENGINE_OPTIONS=_pool_options(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if settings["trusted_proxies"]:
        # The client's address and scheme as the trusted proxies report them (throttling,
        # secure redirects); without proxies the headers are ignored, as anyone can send them.
        hops = int(settings["trusted_proxies"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    # Before any other request hook runs a query (the API rate limit's key looks the
    # caller's token up): a request's method says whether its transactions take SQLite's
    # write lock at BEGIN (core.write_lock), and views that only read start without a
    # transaction (core.read_only).
    install_write_locking(app)
    app.before_request(begin_read_only_views)
    app.json = FastJSONProvider(app)
    db.init_app(app)
    with app.app_context():
        enable_sqlite_transactions(db.engine, busy_timeout_ms=int(settings["sqlite_busy_timeout_ms"]))
        ping_idle_connections(db.engine)
        send_lists_in_binary(db.engine)
        plan_for_each_value(db.engine, SEARCH_PARAMETER)
        begin_as(db.session(), READS)  # loading the platform only reads: no wait for writers
        # 2. Which addons this database has installed, in dependency order.
        catalog = discover()
        installed = installed_addon_names()
        available = [name for name in installed if name in catalog.addons and name != "base"]
        for name in sorted(set(installed) - set(available) - {"base"}):
            log.error("addon %r is installed in the database but not available here: it is not loaded", name)
        try:
            order = resolve(available, catalog.addons)
        except DependencyError as error:
            raise RuntimeError(f"the installed addons cannot be loaded: {error}") from error
        # 3. Import their plugins, collect models, extensions and contributions.
        platform = build_platform(settings, clock or SystemClock(), catalog, order)
        db.session.remove()
    app.extensions["spectrum"] = platform
    # 4. Routes of the kernel and of every addon (conflicts were checked above).
    for _addon, blueprint in collect_blueprints(platform):
        app.register_blueprint(blueprint)
    init_i18n(app)
    platform.plugins.hook.app_ready(app=app)
    return app
