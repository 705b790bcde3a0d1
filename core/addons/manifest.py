"""`Addon`: the one manifest every addon declares."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Addon", "ManifestError", "KERNEL_ADDON", "version_tuple"]

#: The kernel appears in the addon graph under this name; every addon depends on it.
KERNEL_ADDON = "base"

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?([.-][0-9A-Za-z.]+)?$")


class ManifestError(ValueError):
    """An addon manifest is malformed; the message names the addon and the field."""


@dataclass(frozen=True)
class Addon:
    """What an addon is and what it needs.

    :param name: unique identifier, lowercase with underscores (`service_desk`).
    :param version: the addon's own version (`1.2.0`); a higher one means upgrade available.
    :param summary: one line saying what the addon gives its users.
    :param category: grouping in the addon list (Sales, Service, Marketing, ...).
    :param depends: names of addons that must be installed first (the kernel is implied).
    :param application: True for a whole application, False for a technical or glue addon.
    :param plugin: dotted module holding the addon's hook implementations
        (default: `<package>.plugin`). Imported only when the addon is installed.
    :param package: dotted package of the addon; filled in from the entry point.
    """

    name: str
    version: str
    summary: str
    category: str = "Uncategorized"
    depends: tuple[str, ...] = ()
    application: bool = False
    plugin: str | None = None
    package: str | None = None
    author: str = ""
    license: str = "AGPL-3.0-or-later"
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ManifestError(
                f"addon name {self.name!r} is invalid: use 2-63 lowercase letters, digits or underscores, "
                "starting with a letter"
            )
        if not isinstance(self.version, str) or not _VERSION.match(self.version):
            raise ManifestError(f"addon {self.name!r}: version {self.version!r} is not like '1.0' or '1.2.3'")
        if not self.summary or not isinstance(self.summary, str):
            raise ManifestError(f"addon {self.name!r}: summary is required (one line)")
        if isinstance(self.depends, str) or not all(isinstance(d, str) for d in self.depends):
            raise ManifestError(f"addon {self.name!r}: depends must be a tuple of addon names, got {self.depends!r}")
        object.__setattr__(self, "depends", tuple(self.depends))
        if self.name in self.depends:
            raise ManifestError(f"addon {self.name!r} depends on itself")

    @property
    def plugin_module(self) -> str:
        """The module imported to register the addon's hooks."""
        if self.plugin:
            return self.plugin
        if not self.package:
            raise ManifestError(f"addon {self.name!r}: neither plugin nor package is known")
        return f"{self.package}.plugin"

    @property
    def version_tuple(self) -> tuple[int, ...]:
        """The numeric part of the version, for comparisons."""
        return version_tuple(self.version)


def version_tuple(version: str) -> tuple[int, ...]:
    """(1, 2, 3) for "1.2.3"; the numeric part of a version, for comparisons."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0])[:3])
