"""Discovery of addons through the `spectrum.addons` entry points, and `spectrum addons list`."""
from __future__ import annotations

import re

from core.addons.discovery import discover


def _rows(output: str) -> dict[str, list[str]]:
    """`spectrum addons list` rows by addon name: [installed, available, state, depends]."""
    rows = {}
    for line in output.splitlines()[1:]:
        name, installed, available, rest = line[:22].strip(), line[22:34].strip(), line[34:46].strip(), line[46:]
        state, depends = rest[:20].strip(), rest[20:].strip()
        rows[name] = [installed, available, state, depends]
    return rows


def test_discovery_lists_announced_addons_and_broken_ones_with_the_reason(addon_site):
    addon_site.announce("widgets", "widgets_ext", "bad_manifest", "bad_name")

    catalog = discover()

    assert catalog.addons["widgets"].version == "1.0.0"
    assert catalog.addons["widgets_ext"].depends == ("widgets",)
    assert catalog.addons["widgets"].package == "fixture_addons.widgets"
    assert catalog.distributions["widgets"] == "spectrum-fixture-widgets 1.0.0"
    assert catalog.broken["bad_manifest"] == (
        "ManifestError: addon 'bad_manifest': version 'one point oh' is not like '1.0' or '1.2.3'")
    assert catalog.broken["bad_name"].startswith("ManifestError: addon name 'Bad Name!' is invalid")
    assert "bad_manifest" not in catalog.addons and "bad_name" not in catalog.addons


def test_an_addon_announced_after_a_first_discovery_is_found_by_the_next_one(addon_site):
    addon_site.announce("widgets")
    assert "widgets" in discover().addons and "no_access" not in discover().addons

    addon_site.announce("no_access")  # `pip install` while the process runs

    assert "no_access" in discover().addons
    addon_site.withdraw("widgets")  # `pip uninstall`
    assert "widgets" not in discover().addons


def test_addons_list_shows_installed_available_and_broken_addons(addon_site, kernel_db):
    addon_site.announce("widgets", "widgets_ext", "cycle_a", "bad_manifest")
    addon_site.spectrum("addons", "install", "widgets", database_url=kernel_db)

    result = addon_site.spectrum("addons", "list", database_url=kernel_db)

    assert result.stdout.splitlines()[0].split() == ["addon", "installed", "available", "state", "depends"]
    rows = _rows(result.stdout)
    assert rows["widgets"] == ["1.0.0", "1.0.0", "installed", "-"]
    assert rows["widgets_ext"] == ["-", "1.0.0", "not installed", "widgets"]
    assert rows["cycle_a"] == ["-", "1.0.0", "not installed", "cycle_b"]
    assert rows["bad_manifest"] == [
        "-", "-", "BROKEN", "ManifestError: addon 'bad_manifest': version 'one point oh' is not like '1.0' or '1.2.3'"]


def test_addons_list_shows_an_upgrade_and_an_installed_addon_that_went_missing(addon_site, kernel_db):
    addon_site.vendor("widgets")
    addon_site.announce("no_access")
    addon_site.spectrum("addons", "install", "widgets", "no_access", database_url=kernel_db)
    addon_site.upgrade_vendored("widgets", "widgets_v2", "2.0.0")
    addon_site.withdraw("no_access")

    rows = _rows(addon_site.spectrum("addons", "list", database_url=kernel_db).stdout)

    assert rows["widgets"] == ["1.0.0", "2.0.0", "upgrade available", "-"]
    assert rows["no_access"] == ["1.0.0", "-", "MISSING", "installed but not available"]
    assert not re.search(r"^base\b", "\n".join(rows), re.M)  # the kernel is not an addon to list
