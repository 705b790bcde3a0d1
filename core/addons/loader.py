"""Loading installed addons into a Platform: import, register hooks, collect contributions."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from core.addons.discovery import Catalog
from core.addons.graph import dependants_of
from core.addons.manifest import KERNEL_ADDON
from core.clock import Clock
from core.declarations import Portal
from core.events import connect_handlers
from core.models.registry import ModelConflict, ModelRegistry
from core.platform import Platform
from core.plugins import collect, import_plugin, make_plugin_manager
from core.summaries import build_totals

__all__ = ["build_platform", "collect_blueprints", "RouteConflict"]


class RouteConflict(Exception):
    """Two addons register the same URL rule; the message names both."""


def build_platform(settings: dict[str, Any], clock: Clock, catalog: Catalog, order: list[str]) -> Platform:
    """A Platform with the addons of `order` (dependencies first) loaded.

    :raises ModelConflict: two addons register the same model or add the same field.
    :raises RouteConflict: two addons register the same URL rule.
    :raises AddonLoadError: an addon's plugin module cannot be imported.
    """
    modules = [(name, import_plugin(catalog.get(name))) for name in order]
    plugins = make_plugin_manager(modules)
    platform = Platform(settings=settings, clock=clock, catalog=catalog, plugins=plugins,
                        models=ModelRegistry(), loaded=[KERNEL_ADDON, *order])
    for addon, model in collect(plugins, "register_models", order):
        platform.models.add(addon, model)
    platform.models.extend_all(collect(plugins, "extend_models", order))
    platform.views = [view for _, view in collect(plugins, "register_views", order)]
    platform.menus = [menu for _, menu in collect(plugins, "register_menus", order)]
    for addon, summary in collect(plugins, "register_summaries", order):
        if summary.table in {totals.summary.table for totals in platform.summaries}:
            raise ModelConflict(f"addon {addon!r} declares summary table {summary.table!r}, "
                                "which another addon already declares")
        platform.summaries.append(build_totals(addon, summary, platform.models.get(summary.model)))
    platform.dashboards = [board for _, board in collect(plugins, "register_dashboards", order)]
    platform.panels = [panel for _, panel in collect(plugins, "register_detail_panels", order)]
    platform.duplicate_checks = [check for _, check in collect(plugins, "register_duplicate_checks", order)]
    platform.list_actions = [action for _, action in collect(plugins, "register_list_actions", order)]
    platform.notification_kinds = [kind for _, kind in collect(plugins, "register_notification_kinds", order)]
    platform.consent_topics = [topic for _, topic in collect(plugins, "register_consent_topics", order)]
    # An addon may give a kind of user another home than its dependency's; between addons
    # that do not depend on each other, the first keeps it (the others are linked from it).
    declared = collect(plugins, "register_portals", order)
    platform.all_portals = [portal for _, portal in declared]
    platform.portals = _portal_homes(declared, catalog)
    # Later addons first: a dependant's template overrides its dependency's and the kernel's.
    platform.template_dirs = [folder for _, folder in reversed(collect(plugins, "register_template_dirs", order))]
    for addon, job in collect(plugins, "register_jobs", order):
        if job.name in platform.jobs:
            raise ModelConflict(f"addon {addon!r} declares job {job.name!r}, which another addon already declares")
        platform.jobs[job.name] = job
    for addon, event in collect(plugins, "register_webhook_events", order):
        if event.name in platform.webhook_events:
            raise ModelConflict(f"addon {addon!r} declares webhook event {event.name!r}, which another addon already declares")
        platform.webhook_events[event.name] = event
    for _, mapping in collect(plugins, "register_import_mappings", order):
        platform.import_mappings[mapping.name] = mapping
    for addon, grouped in collect(plugins, "register_grouped_imports", order):
        if grouped.name in platform.grouped_imports or grouped.name in platform.import_mappings:
            raise ModelConflict(f"addon {addon!r} declares import {grouped.name!r}, which another addon already declares")
        platform.grouped_imports[grouped.name] = grouped
    platform.api_paths = [path for _, path in collect(plugins, "register_api_paths", order)]
    for addon, action in collect(plugins, "register_api_actions", order):
        platform.actions[(action.model, action.name)] = action
    handlers: dict[str, list[Any]] = {}
    for addon, handler in collect(plugins, "register_event_handlers", order):
        handlers.setdefault(addon, []).append(handler)
    for addon, addon_handlers in handlers.items():
        connect_handlers(addon, addon_handlers)
    _check_routes(collect_blueprints(platform))
    return platform


def _portal_homes(declared: list[tuple[str, Portal]], catalog: Catalog) -> dict[str, Portal]:
    """The home portal of each kind: a dependant's over its dependency's, else the first."""
    homes: dict[str, tuple[str, Portal]] = {}
    for addon, portal in declared:
        held = homes.get(portal.kind)
        if held is None or (held[0] in catalog.addons and addon in dependants_of([held[0]], catalog.addons)):
            homes[portal.kind] = (addon, portal)
    return {kind: portal for kind, (_addon, portal) in homes.items()}


def collect_blueprints(platform: Platform) -> list[tuple[str, Blueprint]]:
    """(addon, blueprint) for every blueprint the loaded addons register."""
    return collect(platform.plugins, "register_blueprints", platform.loaded[1:])


#: The sets of blueprints found free of conflicts in this process (an app per organization
#: loads the same few sets again; the check compiles every route, which takes a while).
_routes_checked: set[tuple[tuple[str, int, int], ...]] = set()


def _check_routes(blueprints: list[tuple[str, Blueprint]]) -> None:
    # Keyed on each blueprint's routes so far too: a module may add a route to one later.
    key = tuple((addon, id(blueprint), len(blueprint.deferred_functions)) for addon, blueprint in blueprints)
    if key in _routes_checked:
        return
    _find_route_conflicts(blueprints)
    _routes_checked.add(key)


def _find_route_conflicts(blueprints: list[tuple[str, Blueprint]]) -> None:
    scratch = Flask("route-check")
    owners: dict[str, str] = {}
    for addon, blueprint in blueprints:
        if blueprint.name in owners:
            raise RouteConflict(
                f"addons {owners[blueprint.name]!r} and {addon!r} both register a blueprint named {blueprint.name!r}"
            )
        owners[blueprint.name] = addon
        scratch.register_blueprint(blueprint)
    seen: dict[tuple[str, str], str] = {}
    for rule in scratch.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        addon = owners.get(rule.endpoint.split(".", 1)[0], "?")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            key = (rule.rule, method)
            if key in seen and seen[key] != addon:
                raise RouteConflict(f"addons {seen[key]!r} and {addon!r} both register {method} {rule.rule}")
            seen[key] = addon
