"""The plugin manager: hook specs, the kernel's own plugin, then installed addons."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Iterable

import pluggy

from core import hookspecs
from core.addons.manifest import KERNEL_ADDON, Addon

__all__ = ["hookimpl", "make_plugin_manager", "collect", "import_plugin", "AddonLoadError"]

#: Decorator for hook implementations (`from core import hookimpl`).
hookimpl = pluggy.HookimplMarker("spectrum")


class AddonLoadError(Exception):
    """An installed addon's plugin module cannot be imported; names the addon."""


def import_plugin(manifest: Addon) -> ModuleType:
    """Import the module holding `manifest`'s hook implementations."""
    try:
        return importlib.import_module(manifest.plugin_module)
    except Exception as error:  # noqa: BLE001 - re-raised with the addon named
        raise AddonLoadError(
            f"addon {manifest.name!r}: cannot import its plugin module {manifest.plugin_module!r}: "
            f"{type(error).__name__}: {error}"
        ) from error


def make_plugin_manager(addons: Iterable[tuple[str, ModuleType]]) -> pluggy.PluginManager:
    """Specs, the kernel's built-in plugin, then `addons` (name, module) in dependency order.

    `check_pending()` makes a misspelt hook implementation fail here, loudly.
    """
    from core import builtin

    manager = pluggy.PluginManager("spectrum")
    manager.add_hookspecs(hookspecs)
    manager.register(builtin, name=KERNEL_ADDON)
    for name, module in addons:
        manager.register(module, name=name)
    manager.check_pending()
    return manager


def collect(manager: pluggy.PluginManager, hook: str, order: list[str], **kwargs: Any) -> list[tuple[str, Any]]:
    """(addon, item) for every item every addon returns from `hook`, in `order`.

    pluggy calls implementations newest-first and merges their results; contributions
    need their owner (to report conflicts and to uninstall) and dependency order, so
    each implementation is called on its own.
    """
    rank = {name: index for index, name in enumerate([KERNEL_ADDON, *order])}
    implementations = sorted(getattr(manager.hook, hook).get_hookimpls(), key=lambda impl: rank.get(impl.plugin_name, len(rank)))
    results: list[tuple[str, Any]] = []
    for implementation in implementations:
        argnames = implementation.argnames
        returned = implementation.function(**{name: kwargs[name] for name in argnames})
        results.extend((implementation.plugin_name, item) for item in returned or [])
    return results
