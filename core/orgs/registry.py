"""The registry of organizations, in its own small control database.

The control database holds no record of any organization's own: it says which
organizations exist, where their databases are and which host names lead to them. It is
SQLite by default (a file beside the organizations' files) and PostgreSQL in production
(`orgs_database_url`); its one table is created on first use.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, String, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

__all__ = ["Organization", "Operator", "Registry", "STATUSES", "RegistryError", "normal_host"]

#: active: served; suspended: answered 503; upgrading: served while `orgs upgrade` runs.
STATUSES = ("active", "suspended", "upgrading")
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


class RegistryError(ValueError):
    """A registry change refused: what is wrong, naming the key or host."""


class _Base(DeclarativeBase):
    pass


class Organization(_Base):
    """One organization: its own database and addon set, reached by its host names."""

    __tablename__ = "organizations"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    hosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    database_url: Mapped[str] = mapped_column(String(1000))
    addons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    upgraded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for `orgs list --json` and the operator's page."""
        return {"key": self.key, "name": self.name, "hosts": list(self.hosts), "database_url": self.database_url,
                "addons": list(self.addons), "status": self.status, "created_at": self.created_at.isoformat(),
                "upgraded_at": self.upgraded_at.isoformat() if self.upgraded_at else None}


class Operator(_Base):
    """Someone who runs the installation: signs in to the operator's page only."""

    __tablename__ = "operators"

    login: Mapped[str] = mapped_column(String(80), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def normal_host(host: str) -> str:
    """A host name as requests carry it, lower case, without a trailing dot or a port (an
    organization is the same on any port: 443 behind the proxy, 5000 in development)."""
    host = host.strip().lower()
    if host.rsplit(":", 1)[-1].isdigit():
        host = host.rsplit(":", 1)[0]
    return host.rstrip(".")


class Registry:
    """The organizations of the control database at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        _Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        """A session on the control database (the caller commits)."""
        return Session(self.engine, expire_on_commit=False)

    def all(self) -> list[Organization]:
        """Every organization, by key."""
        with self.session() as session:
            return list(session.scalars(select(Organization).order_by(Organization.key)))

    def get(self, key: str) -> Organization:
        """The organization `key`; RegistryError when there is none."""
        with self.session() as session:
            return self._found(session, key)

    def _found(self, session: Session, key: str) -> Organization:
        found = session.get(Organization, key)
        if found is None:
            known = ", ".join(org.key for org in self.all()) or "none yet"
            raise RegistryError(f"no organization {key!r} (organizations: {known})")
        return found

    def hosts(self) -> dict[str, Organization]:
        """Each host name, to its organization."""
        return {host: org for org in self.all() for host in org.hosts}

    def add(self, key: str, name: str, hosts: list[str], database_url: str, addons: list[str]) -> Organization:
        """Register a new organization (its database is the caller's to create); RegistryError
        for a bad or taken key or host."""
        if not _KEY.match(key):
            raise RegistryError(f"organization key {key!r}: use 2 to 40 lower-case letters, digits or _, "
                                "starting with a letter")
        normal = [normal_host(host) for host in hosts]
        bad = [host for host in normal if not _HOST.match(host)]
        if bad or not normal:
            raise RegistryError(f"host names {bad or hosts!r}: give at least one, such as acme.example.com")
        taken = {host: org.key for host, org in self.hosts().items() if host in normal}
        if taken:
            raise RegistryError(f"host names already serve another organization: {taken}")
        with self.session() as session:
            if session.get(Organization, key) is not None:
                raise RegistryError(f"organization {key!r} exists already")
            org = Organization(key=key, name=name, hosts=normal, database_url=database_url, addons=list(addons),
                               status="active", created_at=datetime.now(timezone.utc))
            session.add(org)
            session.commit()
        return org

    def update(self, key: str, **values: Any) -> Organization:
        """Change fields of organization `key` (status, addons, upgraded_at...)."""
        if "status" in values and values["status"] not in STATUSES:
            raise RegistryError(f"status {values['status']!r}: use one of {', '.join(STATUSES)}")
        with self.session() as session:
            org = self._found(session, key)
            for name, value in values.items():
                setattr(org, name, value)
            session.commit()
            return org

    def set_operator(self, login: str, password: str) -> None:
        """Create operator `login`, or give them a new password."""
        from core.auth.accounts import hash_password

        with self.session() as session:
            operator = session.get(Operator, login) or Operator(login=login, created_at=datetime.now(timezone.utc))
            operator.password_hash = hash_password(password)
            session.add(operator)
            session.commit()

    def check_operator(self, login: str, password: str) -> bool:
        """Whether `password` is operator `login`'s (as slow for an unknown login)."""
        from core.auth.accounts import password_matches

        with self.session() as session:
            operator = session.get(Operator, login)
        return password_matches(operator.password_hash if operator is not None else None, password)

    def remove(self, key: str) -> None:
        """Forget organization `key` (its database is the caller's to drop)."""
        with self.session() as session:
            session.delete(self._found(session, key))
            session.commit()
