"""Discovering addons announced in the `spectrum.addons` entry-point group (stevedore)."""
from __future__ import annotations

import dataclasses
import importlib.metadata
import logging
from dataclasses import dataclass
from typing import Any

from stevedore import ExtensionManager

from core.addons.manifest import KERNEL_ADDON, Addon, ManifestError

__all__ = ["ENTRY_POINT_GROUP", "Catalog", "discover"]

ENTRY_POINT_GROUP = "spectrum.addons"
log = logging.getLogger(__name__)


@dataclass
class Catalog:
    """Every addon this Python environment offers, and the ones that failed to load."""

    addons: dict[str, Addon]
    broken: dict[str, str]
    distributions: dict[str, str]

    def get(self, name: str) -> Addon:
        """The manifest of `name`, or a KeyError that lists what is available."""
        if name in self.addons:
            return self.addons[name]
        if name in self.broken:
            raise KeyError(f"addon {name!r} failed to load: {self.broken[name]}")
        raise KeyError(f"no addon named {name!r}; available: {', '.join(sorted(self.addons)) or 'none'}")


class _FreshExtensionManager(ExtensionManager):  # type: ignore[type-arg]
    """stevedore, reading the entry points anew on every discovery.

    stevedore keeps a group's entry points for the life of the process
    (`ExtensionManager.ENTRY_POINT_CACHE`) and on disk under a key built from file times
    rounded to about two minutes, so a distribution installed while a server runs, or
    reinstalled with changed entry points, would stay invisible.
    """

    def list_entry_points(self) -> list[importlib.metadata.EntryPoint]:
        return list(importlib.metadata.entry_points(group=self.namespace))


def _manifest_from(name: str, entry_point: Any, loaded: Any) -> Addon:
    if not isinstance(loaded, Addon):
        raise ManifestError(
            f"entry point {name!r} ({entry_point.value}) must point at an Addon manifest, "
            f"got {type(loaded).__name__}"
        )
    if loaded.name != name:
        raise ManifestError(f"entry point {name!r} points at the manifest of addon {loaded.name!r}; make the names match")
    if loaded.name in (KERNEL_ADDON, "core"):
        raise ManifestError(f"the name {loaded.name!r} is reserved for the kernel")
    if loaded.package is None:
        loaded = dataclasses.replace(loaded, package=entry_point.module)
    return loaded


def discover() -> Catalog:
    """Load every manifest in the entry-point group.

    An addon whose entry point cannot be imported or whose manifest is malformed is
    reported in `broken` with the reason, and never stops the others from loading.
    """
    broken: dict[str, str] = {}

    def on_failure(_manager: Any, entry_point: Any, error: Exception) -> None:
        broken[entry_point.name] = f"{type(error).__name__}: {error}"
        log.error("addon %r failed to load from %s: %s", entry_point.name, entry_point.value, error)

    manager = _FreshExtensionManager(ENTRY_POINT_GROUP, on_load_failure_callback=on_failure)
    addons: dict[str, Addon] = {}
    distributions: dict[str, str] = {}
    for extension in manager.extensions:
        try:
            manifest = _manifest_from(extension.name, extension.entry_point, extension.plugin)
        except ManifestError as error:
            broken[extension.name] = str(error)
            log.error("%s", error)
            continue
        if manifest.name in addons:
            broken[manifest.name] = "announced by two distributions; uninstall one of them"
            del addons[manifest.name]
            continue
        addons[manifest.name] = manifest
        dist = getattr(extension.entry_point, "dist", None)
        distributions[manifest.name] = f"{dist.name} {dist.version}" if dist else "?"
    return Catalog(addons=addons, broken=broken, distributions=distributions)
