"""What the operator's page shows of each organization, read from its own database."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core.orgs.registry import Organization

__all__ = ["OrgFacts", "facts_of"]


@dataclass(frozen=True)
class OrgFacts:
    """One organization as the operator sees it: its addons' versions, its database's size
    and the last time anyone did anything there; `error` when its database did not answer."""

    org: Organization
    addon_versions: dict[str, str]
    size_bytes: int | None
    last_activity: datetime | None
    error: str | None = None


_LAST_ACTIVITY = text("SELECT max(at) FROM (SELECT max(at) AS at FROM audit_trail "
                      "UNION ALL SELECT max(last_seen_at) FROM user_sessions) AS moments")


def facts_of(org: Organization) -> OrgFacts:
    """Read `org`'s facts with a connection of its own, closed at once (no pool is kept)."""
    url = make_url(org.database_url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            versions = dict(conn.execute(text("SELECT name, version FROM installed_addons ORDER BY name")).all())
            last = conn.execute(_LAST_ACTIVITY).scalar()
            if url.get_backend_name() == "postgresql":
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            else:
                size = os.path.getsize(str(url.database))
        if isinstance(last, str):  # SQLite gives text
            last = datetime.fromisoformat(last)
        return OrgFacts(org, versions, int(size), last)
    except Exception as error:  # noqa: BLE001 - one organization's trouble is shown on its row, not the page's
        return OrgFacts(org, {}, None, None, f"{type(error).__name__}: {error}")
    finally:
        engine.dispose()
