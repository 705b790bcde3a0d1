"""Many organizations on one installation: a database per organization.

A small control database (the registry, `orgs_database_url`) lists the organizations:
key, name, host names, database URL, addon set and status. `spectrum orgs ...` creates,
lists, suspends, resumes, upgrades and deletes them (`provisioning`); the WSGI app of
`core.wsgi` serves each request with the app of the organization its host name maps to
(`dispatch`), one Flask app per organization, so that addons, models, menus, sessions,
caches and rate limits are each organization's own by construction. Without
`orgs_database_url` the installation serves one database, as before.
"""
from __future__ import annotations

from core.orgs.registry import Organization, Registry, STATUSES

__all__ = ["Organization", "Registry", "STATUSES"]
