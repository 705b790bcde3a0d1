"""`create_app()` loads the installed addons in order; addon events and event handlers."""
from __future__ import annotations

import logging
import types

import pytest

from addon_fixtures import install, open_app, query
from core import hookimpl, signals
from core.addons.installer import AddonManager
from core.db import db
from core.env import Env
from core.platform import platform
from core.plugins import AddonLoadError, make_plugin_manager

ALL = ("widgets", "widgets_ext", "widget_events", "widgets_clash", "dup_model", "route_clash")


def test_create_app_loads_only_the_installed_addons_in_dependency_order(addon_site, kernel_db, caplog):
    addon_site.announce(*ALL)  # the clashing ones are available, never installed
    install(kernel_db, "widgets_ext", "widget_events")

    with open_app(kernel_db) as app:
        platform = app.extensions["spectrum"]
        loaded = list(platform.loaded)
        registered = [name for name, _plugin in platform.plugins.list_name_plugin()]
        extenders = [impl.plugin_name for impl in platform.plugins.hook.extend_models.get_hookimpls()]
        page = app.test_client().get("/widgets/hello")
        models = list(platform.models)

    assert loaded == ["base", "widgets", "widget_events", "widgets_ext"]
    assert registered == ["base", "widgets", "widget_events", "widgets_ext"]
    assert "widgets_ext" in extenders and "widgets_clash" not in extenders
    assert (page.status_code, page.text) == (200, "hello from widgets")
    assert "widgets" in models and "dup_model_widgets" not in models

    addon_site.withdraw("widget_events")
    with caplog.at_level(logging.ERROR, logger="core.app"), open_app(kernel_db) as app:
        assert app.extensions["spectrum"].loaded == ["base", "widgets", "widgets_ext"]
    assert "addon 'widget_events' is installed in the database but not available here: it is not loaded" \
        in caplog.messages


def test_installing_and_uninstalling_send_addon_events(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext")
    seen: list[tuple[str, str, bool]] = []

    def installed(sender: str, *, env: Env) -> None:
        seen.append(("installed", sender, env.system_mode))

    def uninstalled(sender: str, *, env: Env) -> None:
        seen.append(("uninstalled", sender, env.system_mode))

    signals.addon_installed.connect(installed)
    signals.addon_uninstalled.connect(uninstalled)
    try:
        install(kernel_db, "widgets_ext")
        with open_app(kernel_db) as app:
            manager = AddonManager(app)
            manager.uninstall(manager.plan_uninstall(["widgets"], cascade=True))
    finally:
        signals.addon_installed.disconnect(installed)
        signals.addon_uninstalled.disconnect(uninstalled)

    assert seen == [("installed", "widgets", True), ("installed", "widgets_ext", True),
                    ("uninstalled", "widgets_ext", True), ("uninstalled", "widgets", True)]


def test_the_addons_being_installed_are_the_platform_their_handlers_see(addon_site, kernel_db):
    """An addon's install handlers look up its own models and jobs through `platform()`
    (enqueueing its job, say): while it installs, that is the platform being installed;
    afterwards the app's own is back."""
    addon_site.announce("widgets")
    seen: list[bool] = []

    def installed(sender: str, *, env: Env) -> None:
        if sender == "widgets":
            seen.append("widgets" in platform().models and env.platform is platform())

    signals.addon_installed.connect(installed)
    try:
        with open_app(kernel_db) as app:
            before = app.extensions["spectrum"]
            AddonManager(app).install(["widgets"])
            assert app.extensions["spectrum"] is before
    finally:
        signals.addon_installed.disconnect(installed)
    assert seen == [True]


@pytest.fixture
def events_db(addon_site, kernel_db):
    """A database with widgets and widget_events (whose handlers react to new widgets)."""
    addon_site.announce("widgets", "widget_events")
    install(kernel_db, "widget_events")
    return kernel_db


def _names(database_url: str) -> list[str]:
    return [name for (name,) in query(database_url, "SELECT name FROM widgets ORDER BY id")]


def test_a_failing_handler_is_logged_and_the_emitting_transaction_goes_on(events_db, caplog):
    with open_app(events_db), caplog.at_level(logging.ERROR, logger="core.events"):
        records = Env.system().records
        records.create("widgets", {"name": "plain"})
        records.create("widgets", {"name": "fragile vase"})
        records.create("widgets", {"name": "after"})
        db.session.commit()

    assert _names(events_db)[4:] == ["plain", "echo of plain", "fragile vase", "after", "echo of after"]
    [failure] = [record for record in caplog.records if record.name == "core.events"]
    assert failure.getMessage() == ("event handler echo of addon 'widget_events' failed on record-created "
                                    "from 'widgets'; its changes were rolled back")
    assert failure.exc_info[0] is RuntimeError and str(failure.exc_info[1]) == "echo cannot handle 'fragile vase'"


def test_a_failing_transactional_handler_aborts_the_emitting_write(events_db):
    with open_app(events_db):
        records = Env.system().records
        records.create("widgets", {"name": "kept"})
        with pytest.raises(PermissionError, match="widgets may not be called 'forbidden'"):
            records.create("widgets", {"name": "forbidden"})
        db.session.commit()

    assert _names(events_db)[4:] == ["kept", "echo of kept"]


def test_handlers_run_while_the_data_of_their_install_loads(events_db):
    # widget_events is installed together with widgets: widgets' data records are
    # created on the platform being installed, where widget_events' handlers are loaded.
    assert _names(events_db) == ["Standard", "echo of Standard", "Legacy", "echo of Legacy"]


def test_handlers_run_only_where_their_addon_is_installed(events_db, addon_site, database_factory):
    plain = database_factory.clone(())
    install(plain, "widgets")
    with open_app(plain):
        Env.system().records.create("widgets", {"name": "quiet"})
        db.session.commit()
    names = _names(plain)
    database_factory.drop(plain)

    assert names == ["Standard", "Legacy", "quiet"]


def test_a_hook_implementation_with_arguments_its_spec_lacks_names_the_addon():
    module = types.ModuleType("wrong_arguments_plugin")

    @hookimpl
    def register_demo_data(seed: int, colour: str) -> list:
        return []

    module.register_demo_data = register_demo_data

    with pytest.raises(AddonLoadError) as caught:
        make_plugin_manager([("wrong_arguments", module)])

    assert str(caught.value).startswith("addon 'wrong_arguments': Plugin 'wrong_arguments' for hook 'register_demo_data'")
    assert "colour" in str(caught.value) and str(caught.value).endswith("the hooks are listed in core/hookspecs.py")
