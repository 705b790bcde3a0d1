"""The plugin manager: hook specs, the kernel's own plugin, then installed addons."""
from __future__ import annotations

import difflib
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
        try:
            manager.register(module, name=name)
        except pluggy.PluginValidationError as error:  # arguments the hook spec does not offer
            raise AddonLoadError(f"addon {name!r}: {error}; the hooks are listed in core/hookspecs.py") from error
        _check_hook_names(manager, name, module)
    manager.check_pending()
    return manager


def _check_hook_names(manager: pluggy.PluginManager, name: str, module: ModuleType) -> None:
    """Refuse an implementation of a hook that does not exist, naming the addon.

    pluggy's `check_pending` would name only the module; the addon's name and the
    closest hook names tell the author what to fix.
    """
    specs = [attribute for attribute in dir(hookspecs) if hasattr(getattr(hookspecs, attribute), "spectrum_spec")]
    for caller in manager.get_hookcallers(module) or []:
        if caller.spec is not None:
            continue
        if all(impl.optionalhook for impl in caller.get_hookimpls() if impl.plugin is module):
            continue
        close = difflib.get_close_matches(caller.name, specs, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise AddonLoadError(
            f"addon {name!r} implements {caller.name!r} in {module.__name__}, which is not a hook{hint} "
            "(the hooks are listed in core/hookspecs.py)"
        )


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
