"""Ordering addons by their declared dependencies.

The order is a topological sort of the `depends` graph (Kahn's algorithm): an addon
comes after everything it depends on; among addons whose dependencies are all placed,
the alphabetically first goes next, so the order is the same on every machine and
never depends on discovery order or on magic sequence numbers.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from core.addons.manifest import KERNEL_ADDON, Addon

__all__ = ["DependencyError", "MissingDependency", "DependencyCycle", "resolve", "dependants_of"]


class DependencyError(Exception):
    """The requested addons cannot be ordered."""


class MissingDependency(DependencyError):
    """An addon depends on one that is not available."""

    def __init__(self, addon: str, missing: str) -> None:
        self.addon, self.missing = addon, missing
        super().__init__(
            f"addon {addon!r} depends on {missing!r}, which is not available: "
            f"install the distribution that provides {missing!r} (pip install ...) and try again"
        )


class DependencyCycle(DependencyError):
    """Addons depend on each other in a loop."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(f"addons depend on each other in a cycle: {' -> '.join(cycle)}; break the cycle in their manifests")


def _closure(requested: Iterable[str], available: Mapping[str, Addon]) -> set[str]:
    needed: set[str] = set()
    stack = [(name, None) for name in requested]
    while stack:
        name, wanted_by = stack.pop()
        if name == KERNEL_ADDON or name in needed:
            continue
        if name not in available:
            raise MissingDependency(wanted_by or name, name) if wanted_by else DependencyError(
                f"no addon named {name!r} is available; `spectrum addons list` shows the ones that are"
            )
        needed.add(name)
        stack.extend((dep, name) for dep in available[name].depends)
    return needed


def _find_cycle(names: set[str], available: Mapping[str, Addon]) -> list[str]:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in visiting:
            return visiting[visiting.index(name):] + [name]
        if name in done:
            return None
        visiting.append(name)
        for dep in sorted(available[name].depends):
            if dep in names and (cycle := visit(dep)):
                return cycle
        visiting.pop()
        done.add(name)
        return None

    for name in sorted(names):
        if cycle := visit(name):
            return cycle
    return sorted(names)


def resolve(requested: Iterable[str], available: Mapping[str, Addon]) -> list[str]:
    """The requested addons plus all their dependencies, dependencies first.

    :raises MissingDependency: naming the addon and the dependency that is not available.
    :raises DependencyCycle: naming the addons of the loop, in order.
    """
    needed = _closure(requested, available)
    remaining = {name: {d for d in available[name].depends if d != KERNEL_ADDON} for name in needed}
    order: list[str] = []
    while remaining:
        ready = sorted(name for name, deps in remaining.items() if not deps - set(order))
        if not ready:
            raise DependencyCycle(_find_cycle(set(remaining), available))
        order.append(ready[0])
        del remaining[ready[0]]
    return order


def dependants_of(names: Iterable[str], installed: Mapping[str, Addon]) -> list[str]:
    """Installed addons that depend, directly or not, on any of `names` (dependants last)."""
    targets = set(names)
    changed = True
    while changed:
        changed = False
        for name, manifest in installed.items():
            if name not in targets and targets & set(manifest.depends):
                targets.add(name)
                changed = True
    # resolve() also pulls in what the targets depend on; only true dependants are wanted.
    dependants = targets - set(names)
    return [name for name in resolve(targets, installed) if name in dependants]
