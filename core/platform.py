"""`Platform`: what one app knows about its installed addons (kept in app.extensions)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pluggy
from flask import Flask, current_app

from core.addons.discovery import Catalog
from core.clock import Clock
from core.declarations import (ApiPath, ConsentTopic, Dashboard, DetailPanel, DuplicateCheck, GroupedImport, ImportMapping, Job, ListAction, MenuItem,
                               NotificationKind, Portal, View, WebhookEvent)
from core.models.registry import ModelRegistry
from core.summaries.totals import Totals

__all__ = ["Platform", "platform"]


@dataclass
class Platform:
    """The loaded state of one app: settings, clock, addons, models and contributions."""

    settings: dict[str, Any]
    clock: Clock
    catalog: Catalog
    plugins: pluggy.PluginManager
    models: ModelRegistry
    loaded: list[str] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    menus: list[MenuItem] = field(default_factory=list)
    summaries: list[Totals] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    webhook_events: dict[str, WebhookEvent] = field(default_factory=dict)
    import_mappings: dict[str, ImportMapping] = field(default_factory=dict)
    grouped_imports: dict[str, GroupedImport] = field(default_factory=dict)
    api_paths: list[ApiPath] = field(default_factory=list)
    actions: dict[tuple[str, str], Any] = field(default_factory=dict)
    dashboards: list[Dashboard] = field(default_factory=list)
    panels: list[DetailPanel] = field(default_factory=list)
    duplicate_checks: list[DuplicateCheck] = field(default_factory=list)
    list_actions: list[ListAction] = field(default_factory=list)
    notification_kinds: list[NotificationKind] = field(default_factory=list)
    consent_topics: list[ConsentTopic] = field(default_factory=list)
    #: The home portal of each kind of user; `all_portals` lists every portal, in dependency order.
    portals: dict[str, Portal] = field(default_factory=dict)
    all_portals: list[Portal] = field(default_factory=list)
    template_dirs: list[str] = field(default_factory=list)
    openapi: dict[str, Any] | None = None  # built on first request, then reused

    def view(self, model: str, kind: str) -> View | None:
        """The declared view of `kind` for `model`, if an addon declared one (the last
        loaded addon's, when several did)."""
        found = self.views_of(model, kind)
        return found[-1] if found else None

    def views_of(self, model: str, kind: str) -> list[View]:
        """Every declared view of `kind` for `model`, in the order the addons were loaded
        (an addon after those it depends on)."""
        return [v for v in self.views if v.model == model and v.kind == kind]

    def summaries_of(self, model: str) -> list[Totals]:
        """The totals kept of `model`'s records."""
        return [totals for totals in self.summaries if totals.summary.model == model]

    def summaries_declared_by(self, addon: str) -> list[Totals]:
        """The totals `addon` declares (it builds and drops them)."""
        return [totals for totals in self.summaries if totals.addon == addon]


def platform(app: Flask | None = None) -> Platform:
    """The Platform of `app` (default: the current app)."""
    return (app or current_app).extensions["spectrum"]
