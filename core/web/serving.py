"""The WSGI application an installation serves: one database, or many organizations."""
from __future__ import annotations

from typing import Any, Mapping

from core.app import create_app
from core.web.reloading import ReloadingApp

__all__ = ["wsgi_application"]


def wsgi_application(settings: Mapping[str, Any]) -> Any:
    """The app of the one database (reloading itself when its addons change), or with
    `orgs_database_url` the dispatcher of the organizations (core.orgs.dispatch)."""
    if not settings["orgs_database_url"]:
        return ReloadingApp(create_app)
    from core.orgs.dispatch import OrganizationsApp
    from core.orgs.registry import Registry
    from core.secret_key import resolve_secret_key

    resolved = {**settings, "secret_key": resolve_secret_key(settings)}
    return OrganizationsApp(Registry(str(settings["orgs_database_url"])), resolved)
