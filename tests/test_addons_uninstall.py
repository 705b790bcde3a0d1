"""`spectrum addons uninstall`: dependants, cascade, the dry-run plan and its confirmation."""
from __future__ import annotations

from addon_fixtures import database_state, open_app, query
from core.auth.accounts import create_user
from core.db import db
from core.env import Env

PLAN = [
    "addons to uninstall (in this order): widgets_ext, widgets",
    "  widgets_ext: tables dropped: none; columns dropped: widgets.color, widgets.polished; records it shipped deleted: 0",
    "  widgets: tables dropped: widgets (3 rows); columns dropped: none; records it shipped deleted: 4",
]


def _kernel_rows(database_url: str) -> dict[str, list[tuple[object, ...]]]:
    """Rows of the kernel tables an addon's data touches."""
    return {
        "roles": query(database_url, "SELECT id, name FROM roles ORDER BY id"),
        "model_access": query(database_url, "SELECT id, model FROM model_access ORDER BY id"),
        "users": query(database_url, "SELECT id, login FROM users ORDER BY id"),
    }


def test_uninstall_refuses_while_a_dependant_is_installed(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext")
    addon_site.spectrum("addons", "install", "widgets_ext", database_url=kernel_db)
    before = database_state(kernel_db)

    result = addon_site.spectrum("addons", "uninstall", "widgets", "--yes", database_url=kernel_db, expect=1)

    assert result.stderr.strip() == (
        "Error: cannot uninstall widgets: installed addon(s) widgets_ext depend on it; "
        "uninstall them first or use --cascade (nothing was changed)")
    assert database_state(kernel_db) == before


def test_uninstall_shows_the_plan_and_changes_nothing_unless_confirmed(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext")
    addon_site.spectrum("addons", "install", "widgets_ext", database_url=kernel_db)
    with open_app(kernel_db):
        Env.system().records.create("widgets", {"name": "Made by hand"})
        db.session.commit()
    before = database_state(kernel_db)

    declined = addon_site.spectrum("addons", "uninstall", "widgets", "--cascade", database_url=kernel_db,
                                   input="n\n", expect=1)

    assert declined.stdout.splitlines() == [*PLAN, "Uninstall and delete this data? [y/N]: "]
    assert declined.stderr.strip() == "Error: cancelled; nothing was changed"
    assert database_state(kernel_db) == before

    confirmed = addon_site.spectrum("addons", "uninstall", "widgets", "--cascade", database_url=kernel_db,
                                    input="y\n")

    assert confirmed.stdout.splitlines()[:3] == PLAN
    assert confirmed.stdout.splitlines()[-1] == "summary: uninstalled widgets_ext, widgets"
    assert [name for name, _version in database_state(kernel_db)["installed"]] == ["base"]


def test_uninstall_removes_exactly_what_the_addons_brought(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext")
    pristine, kernel_rows = database_state(kernel_db), _kernel_rows(kernel_db)
    addon_site.spectrum("addons", "install", "widgets_ext", "--demo", database_url=kernel_db)
    with open_app(kernel_db):
        create_user(Env.system(), "wendy", "Wendy", email="wendy@example.com", roles=("base.user", "widgets.user"))
        db.session.commit()
    users = query(kernel_db, "SELECT id, login FROM users ORDER BY id")

    addon_site.spectrum("addons", "uninstall", "widgets", "--cascade", "--yes", database_url=kernel_db)

    assert database_state(kernel_db) == pristine
    assert _kernel_rows(kernel_db) == {**kernel_rows, "users": users}
    assert query(kernel_db, "SELECT r.name FROM roles r JOIN user_roles ur ON ur.role_id = r.id "
                            "JOIN users u ON u.id = ur.user_id WHERE u.login = 'wendy'") == [("Internal user",)]


def test_uninstalling_the_extension_alone_drops_only_its_column(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext")
    addon_site.spectrum("addons", "install", "widgets", database_url=kernel_db)
    without_extension = database_state(kernel_db)
    addon_site.spectrum("addons", "install", "widgets_ext", database_url=kernel_db)

    addon_site.spectrum("addons", "uninstall", "widgets_ext", "--yes", database_url=kernel_db)

    assert database_state(kernel_db) == without_extension
    assert sorted(query(kernel_db, "SELECT name FROM widgets")) == [("Legacy",), ("Standard",)]
