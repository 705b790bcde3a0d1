"""WSGI entry point for production servers: `gunicorn 'core.wsgi:app'`.

One database by default: the app reloads itself when addons are installed or removed
(see core.web.reloading). With `orgs_database_url` set, many organizations: each request
is served by the app of the organization its host name maps to (core.orgs.dispatch).
"""
from __future__ import annotations

from typing import Any

from core.app import create_app
from core.config import load_settings
from core.web.reloading import ReloadingApp


def _application() -> Any:
    settings = load_settings()
    if not settings["orgs_database_url"]:
        return ReloadingApp(create_app)
    from core.orgs.dispatch import OrganizationsApp
    from core.orgs.registry import Registry
    from core.secret_key import resolve_secret_key

    settings["secret_key"] = resolve_secret_key(settings)
    return OrganizationsApp(Registry(str(settings["orgs_database_url"])), settings)


app = _application()
