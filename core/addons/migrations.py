"""Alembic with one branch per addon: the kernel's branch is `core`, each addon's is its name.

(The kernel is the addon `base` in the dependency graph, but "base" means "before the
first revision" to Alembic, so its branch is labelled `core`.)"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from core.addons.discovery import Catalog
from core.addons.manifest import KERNEL_ADDON

__all__ = ["migrations_dir", "alembic_config", "upgrade_branch", "downgrade_branch", "has_migrations", "make_revision",
           "ensure_migrations_dir", "pending_branches"]

KERNEL_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migrations_dir(catalog: Catalog, addon: str) -> Path:
    """Folder of an addon's revisions (`<package>/migrations/versions`)."""
    if addon == KERNEL_ADDON:
        return KERNEL_MIGRATIONS / "versions"
    package = catalog.get(addon).package or addon
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"addon {addon!r}: package {package!r} cannot be found on the path")
    return Path(list(spec.submodule_search_locations)[0]) / "migrations" / "versions"


def ensure_migrations_dir(catalog: Catalog, addon: str) -> Path:
    """Create the addon's versions folder if needed, so Alembic lists it."""
    folder = migrations_dir(catalog, addon)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def has_migrations(catalog: Catalog, addon: str) -> bool:
    """Whether the addon ships any revision."""
    folder = migrations_dir(catalog, addon)
    return folder.is_dir() and any(folder.glob("*.py"))


def alembic_config(catalog: Catalog, connection: Connection | None = None, **attributes: Any) -> Config:
    """A Config listing the kernel's and every available addon's revisions. `attributes` go
    to `config.attributes`, where migrations find them (`alembic.context.config`): the
    installer passes `settings`, for a migration that moves files (core.storage)."""
    config = Config()
    config.set_main_option("script_location", str(KERNEL_MIGRATIONS))
    locations = [str(migrations_dir(catalog, KERNEL_ADDON))]
    locations += [str(folder) for folder in (migrations_dir(catalog, name) for name in sorted(catalog.addons))
                  if folder.is_dir()]
    config.set_main_option("path_separator", "space")
    config.set_main_option("version_locations", " ".join(locations))
    config.attributes["connection"] = connection
    config.attributes.update(attributes)
    return config


KERNEL_BRANCH = "core"


def branch_of(addon: str) -> str:
    """The Alembic branch label of an addon."""
    return KERNEL_BRANCH if addon == KERNEL_ADDON else addon


def pending_branches(config: Config, addons: list[str]) -> list[str]:
    """The addons (the kernel included) whose branch has revisions the database has not run:
    new code with new migrations but the same version must still be upgraded."""
    from alembic.runtime.migration import MigrationContext

    script = ScriptDirectory.from_config(config)
    current = MigrationContext.configure(config.attributes["connection"]).get_current_heads()
    applied = {revision.revision for revision in script.iterate_revisions(current, "base")} if current else set()
    labelled = _branches(config)
    pending = []
    for addon in addons:
        if branch_of(addon) not in labelled:
            continue
        head = script.get_revision(f"{branch_of(addon)}@head")
        if head is not None and head.revision not in applied:
            pending.append(addon)
    return pending


def upgrade_branch(config: Config, addon: str) -> None:
    """Apply every revision of `addon`'s branch (and the branches it depends on)."""
    command.upgrade(config, f"{branch_of(addon)}@head")


def downgrade_branch(config: Config, addon: str) -> None:
    """Revert every revision of `addon`'s branch (drops its tables and columns)."""
    if branch_of(addon) in _branches(config):
        command.downgrade(config, f"{branch_of(addon)}@base")


def _branches(config: Config) -> set[str]:
    script = ScriptDirectory.from_config(config)
    return {label for revision in script.walk_revisions() for label in (revision.branch_labels or ())}


def make_revision(config: Config, catalog: Catalog, addon: str, message: str) -> Any:
    """Autogenerate the next revision of `addon` from the difference between its models
    and the database. An addon's first revision starts a new root that depends on the
    heads of the branches of its dependencies (the kernel's at least). The addon's
    versions folder must exist when `config` is made (see `ensure_migrations_dir`)."""
    folder = migrations_dir(catalog, addon)
    branch = branch_of(addon)
    if branch in _branches(config):
        return command.revision(config, message=message, autogenerate=True, head=f"{branch}@head")
    script = ScriptDirectory.from_config(config)
    depends = [] if addon == KERNEL_ADDON else [KERNEL_ADDON, *catalog.get(addon).depends]
    heads = [script.get_revision(f"{branch_of(name)}@head").revision for name in dict.fromkeys(depends)
             if branch_of(name) in _branches(config)]
    return command.revision(
        config, message=message, autogenerate=True, head="base", branch_label=branch,
        version_path=str(folder), depends_on=heads or None,
    )
