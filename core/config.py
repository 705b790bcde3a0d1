"""Settings: `config/default.toml`, then `SPECTRUM_<KEY>` environment variables, then overrides."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

__all__ = ["DEFAULTS_FILE", "load_settings", "database_url"]

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "config" / "default.toml"
_ENV_PREFIX = "SPECTRUM_"


def _parse_env_value(raw: str, default: Any) -> Any:
    """Read an environment value with the type of its default (lists as comma-separated)."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return every setting: defaults, overridden by the environment, then by `overrides`.

    Raises KeyError naming the key when an override names a setting that does not exist,
    so a typo never goes unnoticed.
    """
    with DEFAULTS_FILE.open("rb") as handle:
        settings: dict[str, Any] = tomllib.load(handle)
    for key, default in list(settings.items()):
        raw = os.environ.get(_ENV_PREFIX + key.upper())
        if raw is not None:
            settings[key] = _parse_env_value(raw, default)
    for key, value in (overrides or {}).items():
        if key not in settings:
            raise KeyError(f"unknown setting {key!r}; known settings are listed in {DEFAULTS_FILE}")
        settings[key] = value
    return settings


def database_url(settings: Mapping[str, Any]) -> str:
    """The configured database URL, defaulting to SQLite in the instance folder."""
    if settings["database_url"]:
        return str(settings["database_url"])
    instance = Path(settings["instance_path"]).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'spectrum.db'}"
