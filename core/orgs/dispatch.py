"""Serving many organizations from one process: each request goes to the app of the
organization its host name maps to.

One Flask app per organization (built on its first request, rebuilt when its addons
change, like the single database's `ReloadingApp`), so that models, menus, API paths,
sessions, permission snapshots, kept statements and rate limits are each organization's
own by construction. The host map is read from the registry at most every
REFRESH_SECONDS; an unknown host answers 404, a suspended organization 503, each with a
short page. The host `orgs_operator_host` serves the operator's page (core.orgs.operator).
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable, Mapping

from markupsafe import escape
from werkzeug.wrappers import Response

from core.orgs.provisioning import org_app
from core.orgs.registry import Organization, Registry, normal_host
from core.web.reloading import ReloadingApp

__all__ = ["OrganizationsApp", "REFRESH_SECONDS"]

#: How stale the host map may be: a new, suspended or deleted organization is seen within it.
REFRESH_SECONDS = 2.0

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:15vh auto;max-width:32rem;padding:0 1rem;color:#1f2937}}
h1{{font-size:1.4rem}}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


def _page(status: int, title: str, text: str, **headers: str) -> Response:
    return Response(_PAGE.format(title=escape(title), text=escape(text)), status=status, mimetype="text/html",
                    headers=headers)


class OrganizationsApp:
    """The WSGI app of a many-organization installation."""

    def __init__(self, registry: Registry, settings: Mapping[str, Any],
                 build: Callable[[Mapping[str, Any], Organization], Any] = org_app) -> None:
        self.registry = registry
        self.settings = settings
        self._build = build
        self._hosts: dict[str, Organization] = {}
        self._apps: dict[tuple[str, str], ReloadingApp] = {}
        self._read_at = float("-inf")
        self._lock = threading.Lock()
        operator_host = normal_host(str(settings.get("orgs_operator_host") or ""))
        self._operator_host = operator_host or None
        self._operator_app: Any = None

    def organization(self, host: str) -> Organization | None:
        """The organization `host` serves, as the registry said at most REFRESH_SECONDS ago
        (an unknown host reads it again, no more often than that)."""
        host = normal_host(host)
        if time.monotonic() - self._read_at >= REFRESH_SECONDS:
            self._refresh()
        return self._hosts.get(host)

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._read_at < REFRESH_SECONDS:
                return
            self._hosts = self.registry.hosts()
            live = {(org.key, org.database_url) for org in self._hosts.values()}
            for gone in set(self._apps) - live:  # deleted, or moved to another database
                del self._apps[gone]
            self._read_at = time.monotonic()

    def app_for(self, org: Organization) -> ReloadingApp:
        """The app serving `org`, built on its first request."""
        slot = (org.key, org.database_url)
        app = self._apps.get(slot)
        if app is None:
            with self._lock:
                app = self._apps.get(slot)
                if app is None:
                    app = self._apps[slot] = ReloadingApp(lambda: self._build(self.settings, org))
        return app

    def _operator(self) -> Any:
        if self._operator_app is None:
            from core.orgs.operator import operator_app

            self._operator_app = operator_app(self.registry, self.settings)
        return self._operator_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
        if self._operator_host is not None and normal_host(host) == self._operator_host:
            return self._operator()(environ, start_response)
        org = self.organization(host)
        if org is None:
            answer = _page(404, "No such organization", "This address serves no organization here. Check the "
                           "address you were given.")
            return answer(environ, start_response)
        if org.status == "suspended":
            answer = _page(503, f"{org.name} is unavailable", "This organization is suspended for now. Please "
                           "come back later, or ask its administrator.", **{"Retry-After": "3600"})
            return answer(environ, start_response)
        return self.app_for(org)(environ, start_response)
