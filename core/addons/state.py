"""Per-database addon state: which addons are installed, and the records they brought."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UtcDateTime, db

__all__ = ["InstalledAddon", "ExternalId"]


class InstalledAddon(db.Model):  # type: ignore[name-defined,misc]
    """One row per addon installed in this database, with the version installed."""

    __tablename__ = "installed_addons"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    demo: Mapped[bool] = mapped_column(default=False, nullable=False)


class ExternalId(db.Model):  # type: ignore[name-defined,misc]
    """A stable name (`addon.key`) for a record an addon ships as data.

    Loading data twice finds the record by its external id and updates it in place;
    uninstalling an addon deletes exactly the records named here for it.
    """

    __tablename__ = "external_ids"
    __table_args__ = (UniqueConstraint("addon", "key", name="uq_external_ids_addon_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    addon: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    model: Mapped[str] = mapped_column(String(120), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    demo: Mapped[bool] = mapped_column(default=False, nullable=False)

    @property
    def full_key(self) -> str:
        """`addon.key`, the form data declarations use."""
        return f"{self.addon}.{self.key}"
