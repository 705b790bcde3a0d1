"""`spectrum addons install`: dependencies, refusals that change nothing, rollback, data."""
from __future__ import annotations

import pytest

from addon_fixtures import database_state, open_app, query
from core.addons.installer import AddonManager


def test_install_pulls_in_dependencies_first_and_records_them(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext")

    result = addon_site.spectrum("addons", "install", "widgets_ext", database_url=kernel_db)

    progress = [line for line in result.stdout.splitlines() if "] installing " in line]
    assert progress == ["[1/2] installing widgets", "[2/2] installing widgets_ext"]
    assert result.stdout.splitlines()[-1] == "summary: installed 2 addon(s): widgets, widgets_ext"
    state = database_state(kernel_db)
    assert [name for name, _version in state["installed"]] == ["base", "widgets", "widgets_ext"]
    assert "e77e00000001" in state["alembic"]
    assert state["tables"]["widgets"] == sorted(
        ["id", "name", "size", "color", "polished", "created_at", "updated_at", "created_by", "updated_by",
         "version"])
    assert sorted(query(kernel_db, "SELECT name, size FROM widgets")) == [("Legacy", "s"), ("Standard", "m")]


@pytest.mark.parametrize(("requested", "message"), [
    ("needs_missing", "addon 'needs_missing' depends on 'nowhere_to_be_found', which is not available"),
    ("cycle_a", "addons depend on each other in a cycle: cycle_a -> cycle_b -> cycle_a"),
    ("misspelt", "addon 'misspelt' implements 'register_model' in fixture_addons.misspelt.plugin, "
                 "which is not a hook; did you mean register_models, "),
])
def test_unresolvable_addons_are_refused_naming_them_and_nothing_changes(addon_site, kernel_db, requested, message):
    addon_site.announce("widgets", "needs_missing", "cycle_a", "cycle_b", "misspelt")
    before = database_state(kernel_db)

    result = addon_site.spectrum("addons", "install", "widgets", requested, database_url=kernel_db, expect=1)

    assert message in result.stderr
    assert result.stderr.strip().endswith("(nothing was changed)")
    assert "Traceback" not in result.stderr
    assert database_state(kernel_db) == before


def test_a_migration_failing_halfway_leaves_the_database_exactly_as_it_was(addon_site, kernel_db):
    addon_site.announce("widgets", "failing_migration")
    before = database_state(kernel_db)

    result = addon_site.spectrum("addons", "install", "failing_migration", database_url=kernel_db, expect=1)

    # Every new addon's tables are made before any data loads: the failure comes first.
    assert "tables of widgets\ntables of failing_migration\n" in result.stdout
    assert "installing" not in result.stdout
    assert ("addon 'failing_migration': its migrations failed: RuntimeError: "
            "failing_migration fails halfway on purpose") in result.stderr
    assert "Traceback" not in result.stderr
    after = database_state(kernel_db)
    assert "half_done" not in after["tables"] and "widgets" not in after["tables"]
    assert after == before


@pytest.mark.parametrize(("installed", "requested", "message"), [
    ("widgets_ext", "widgets_clash",
     "addons 'widgets_clash' and 'widgets_ext' both add the field 'color' to the model 'widgets'"),
    ("widgets", "dup_model", "addons 'dup_model' and 'widgets' both register the model 'widgets'"),
    ("widgets", "route_clash", "addons 'route_clash' and 'widgets' both register GET /widgets/hello"),
])
def test_conflicting_addons_are_refused_at_install_naming_both(addon_site, kernel_db, installed, requested, message):
    addon_site.announce("widgets", "widgets_ext", "widgets_clash", "dup_model", "route_clash")
    addon_site.spectrum("addons", "install", installed, database_url=kernel_db)
    before = database_state(kernel_db)

    result = addon_site.spectrum("addons", "install", requested, database_url=kernel_db, expect=1)

    assert message in result.stderr
    assert database_state(kernel_db) == before


def test_two_conflicting_extensions_installed_together_are_refused(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext", "widgets_clash")
    before = database_state(kernel_db)

    result = addon_site.spectrum("addons", "install", "widgets_ext", "widgets_clash", database_url=kernel_db, expect=1)

    assert "addons 'widgets_clash' and 'widgets_ext' both add the field 'color' to the model 'widgets'" in result.stderr
    assert database_state(kernel_db) == before


def test_a_model_without_access_rule_is_reported_by_name(addon_site, kernel_db):
    addon_site.announce("widgets", "no_access")

    result = addon_site.spectrum("addons", "install", "widgets", "no_access", database_url=kernel_db)

    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: model 'unguarded_things' of addon 'no_access' has no access rule: "
                        "only administrators can use it until a role is granted access"]


def test_installing_twice_or_reloading_data_creates_no_duplicates(addon_site, kernel_db):
    addon_site.announce("widgets")
    addon_site.spectrum("addons", "install", "widgets", "--demo", database_url=kernel_db)
    widgets = query(kernel_db, "SELECT id, name, version FROM widgets ORDER BY id")
    shipped = database_state(kernel_db)["external_ids"]

    again = addon_site.spectrum("addons", "install", "widgets", database_url=kernel_db)
    with open_app(kernel_db) as app:
        AddonManager(app).upgrade(["widgets"])  # same version: loads the same data again

    assert again.stdout.splitlines()[0] == "nothing to install: already installed"
    assert [name for _id, name, _v in widgets] == ["Standard", "Legacy", "Sample 1"]
    assert query(kernel_db, "SELECT id, name, version FROM widgets ORDER BY id") == widgets
    assert database_state(kernel_db)["external_ids"] == shipped
    assert [key for addon, key, _model, _id in shipped if addon == "widgets"] == [
        "access_widgets_user", "demo_sample", "user", "widget_legacy", "widget_standard"]
