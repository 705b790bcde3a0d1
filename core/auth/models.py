"""Users, roles, API tokens, sign-in sessions and failed sign-ins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UtcDateTime, db
from core.models.base import Record
from core.models.fields import field
from core.zones import TimezoneName

__all__ = ["User", "Role", "ApiToken", "UserSession", "LoginFailure", "USER_KINDS", "LANGUAGES", "user_roles",
           "role_implications"]

USER_KINDS = [("internal", "Internal user"), ("portal", "Portal user (customer)"), ("partner", "Partner user")]
#: Languages the web UI speaks (core/translations): code and name in that language.
LANGUAGES = [("en", "English"), ("fr", "Français")]

user_roles = Table(
    "user_roles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)

role_implications = Table(
    "role_implications",
    db.metadata,
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    Column("implied_role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Role(Record):
    """A group of permissions; a role may imply others (a manager is also a user)."""

    __tablename__ = "roles"
    __label__ = "Role"
    __display_field__ = "name"
    __order__ = ["name"]
    # The platform and addons grant access through the roles they ship; whoever has a
    # role, or a role implying it, loses access with it, so they are asked first.
    __keep_shipped__ = True
    __held_through__ = (("users", "roles"), ("roles", "implied"))

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    description: Mapped[str | None] = field(Text, label="Description", kind="longtext")
    full_access: Mapped[bool] = field(
        Boolean, default=False, nullable=False, label="Full access",
        help="Reads and writes every model and field, with no record rule (administrators).",
    )
    implied: Mapped[list[Role]] = relationship(
        "Role",
        secondary=role_implications,
        primaryjoin=lambda: Role.id == role_implications.c.role_id,
        secondaryjoin=lambda: Role.id == role_implications.c.implied_role_id,
        info={"label": "Implies"},
    )


class User(Record):
    """A person who signs in: internal staff, a portal customer or a partner user."""

    __tablename__ = "users"
    __label__ = "User"
    __display_field__ = "name"
    __order__ = ["name"]

    login: Mapped[str] = field(String(120), label="Login", required=True, unique=True, searchable=True)
    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True)
    email: Mapped[str | None] = field(String(255), label="Email", kind="email", searchable=True)
    kind: Mapped[str] = field(String(20), label="Kind", choices=USER_KINDS, default="internal", nullable=False)
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False)
    timezone: Mapped[str | None] = field(String(64), label="Timezone", validate=[TimezoneName()],
                                         help="IANA name, such as Europe/Paris; empty: the company's.")
    locale: Mapped[str | None] = field(String(12), label="Language", choices=LANGUAGES,
                                       help="The language of the pages; empty: the browser's.")
    password_hash: Mapped[str | None] = field(
        String(255), label="Password", kind="password", sensitive=True, readonly=True
    )
    roles: Mapped[list[Role]] = relationship(Role, secondary=user_roles, info={"label": "Roles"})

    @property
    def role_ids(self) -> list[int]:
        """Ids of every role the user holds or implies (filters use it: `{"$user": "role_ids"}`)."""
        return sorted(role.id for role in self.all_roles())

    def all_roles(self) -> set[Role]:
        """The user's roles plus every role they imply, transitively."""
        seen: set[Role] = set()
        stack = list(self.roles)
        while stack:
            role = stack.pop()
            if role not in seen:
                seen.add(role)
                stack.extend(role.implied)
        return seen


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A bearer token for the API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    user: Mapped[User] = relationship(User)

    def state(self, now: datetime) -> str:
        """"revoked", "expired" (at or after its expiry, as the API judges it) or "active"."""
        if self.revoked:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """A signed-in browser session. The cookie carries a random id; only its SHA-256 digest
    is stored, so the table alone signs no one in. Deleting the row ends the session."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    #: Where and with what the session was started, for a "your sessions" page.
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class LoginFailure(db.Model):  # type: ignore[name-defined,misc]
    """Failed sign-ins in a row for one login as typed, whether or not a user has it (so the
    lockout tells nothing about which logins exist). Keyed by the SHA-256 digest of the
    login: people type their password into the login field too."""

    __tablename__ = "login_failures"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    last_failed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
