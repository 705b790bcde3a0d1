"""`spectrum addons upgrade`: widgets 1.0.0 -> 2.0.0 (a new column, changed and dropped data)."""
from __future__ import annotations

from addon_fixtures import database_state, query


def _widgets(database_url: str) -> dict[str, tuple[object, ...]]:
    return {row[1]: row for row in query(database_url, "SELECT id, name, size FROM widgets")}


def test_upgrade_updates_data_in_place_removes_what_is_no_longer_shipped_and_migrates(addon_site, kernel_db):
    addon_site.vendor("widgets")
    addon_site.spectrum("addons", "install", "widgets", "--demo", database_url=kernel_db)
    before = _widgets(kernel_db)
    addon_site.upgrade_vendored("widgets", "widgets_v2", "2.0.0")

    result = addon_site.spectrum("addons", "upgrade", "--all", database_url=kernel_db)

    assert result.stdout.splitlines()[-2:] == [
        "    data: 1 created, 3 updated, 1 removed", "summary: upgraded 1 addon(s): widgets"]
    state = database_state(kernel_db)
    assert ("widgets", "2.0.0") in state["installed"]
    assert "a11ce0000002" in state["alembic"]
    assert "weight" in state["tables"]["widgets"]
    rows = {row[1]: row for row in query(kernel_db, "SELECT id, name, size, weight FROM widgets")}
    assert rows["Standard"] == (before["Standard"][0], "Standard", "l", 250)  # same record, new values
    assert rows["Deluxe"][2:] == ("l", 900)
    assert "Legacy" not in rows
    assert rows["Sample 1"][0] == before["Sample 1"][0]  # demo data is left alone
    shipped = sorted(key for addon, key, _model, _id in state["external_ids"] if addon == "widgets")
    assert shipped == ["access_widgets_user", "demo_sample", "user", "widget_deluxe", "widget_standard"]


def test_upgrade_refuses_an_addon_that_is_not_installed(addon_site, kernel_db):
    addon_site.announce("widgets")
    before = database_state(kernel_db)

    result = addon_site.spectrum("addons", "upgrade", "widgets", database_url=kernel_db, expect=1)

    assert result.stderr.strip() == "Error: addon 'widgets' is not installed; install it first (nothing was changed)"
    assert database_state(kernel_db) == before


def test_new_kernel_migrations_are_applied_by_upgrade_all_at_the_same_version(app):
    """New code may bring kernel migrations without a new version number: `upgrade --all`
    finds every branch whose revisions the database has not run, the kernel's included."""
    from alembic import command
    from sqlalchemy import inspect

    from core.addons.installer import AddonManager
    from core.addons.migrations import alembic_config
    from core.db import db

    manager = AddonManager(app)
    assert "base" not in manager.upgradable()
    config = alembic_config(manager.catalog, db.session.connection())
    command.downgrade(config, "core@-1")  # as if the database predates the kernel's latest revision
    db.session.commit()
    assert "base" in manager.upgradable()
    assert manager.upgrade() == ["base"]
    assert manager.upgradable() == []
    assert inspect(db.engine).has_table("attachments")
