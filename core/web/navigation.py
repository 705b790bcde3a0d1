"""The navigation menu, filtered by what the user may read."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.declarations import MenuItem
from core.env import Env

__all__ = ["NavEntry", "navigation"]


@dataclass
class NavEntry:
    """A menu entry with its visible children."""

    key: str
    label: str
    url: str | None
    children: list[NavEntry] = field(default_factory=list)


def _url(item: MenuItem) -> str | None:
    # An entry may give both: `url` (a filtered list, a dashboard) is where it leads,
    # `model` who sees it.
    if item.url:
        return item.url
    return f"/m/{item.model}" if item.model else None


def navigation(env: Env) -> list[NavEntry]:
    """Top-level entries with their children; entries for unreadable models, and admin
    entries for anyone but administrators, are hidden; so is a parent with no visible child."""
    items = env.platform.menus
    visible = {
        item.key: NavEntry(item.key, item.label, _url(item))
        for item in items
        if (not item.admin or env.policy.full_access)
        and (item.model is None or (item.model in env.platform.models and env.policy.can(item.model, "read")))
    }
    roots: list[NavEntry] = []
    for item in items:
        entry = visible.get(item.key)
        if entry is None:
            continue
        if item.parent and item.parent in visible:
            visible[item.parent].children.append(entry)
        elif not item.parent:
            roots.append(entry)
    # The work areas first, then the configuration areas, each in the order declared.
    settings = {item.key for item in items if item.settings}
    roots.sort(key=lambda entry: entry.key in settings)
    return [entry for entry in roots if entry.url or entry.children]
