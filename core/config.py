"""Settings: the defaults shipped in the package (`core/default.toml`, every setting with a
comment), then the deployer's file (`SPECTRUM_CONFIG`, default `config/spectrum.toml` in the
working directory, when present), then `SPECTRUM_<KEY>` environment variables, then overrides."""
from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

__all__ = ["DEFAULTS_FILE", "DEPLOYER_FILE", "load_settings", "database_url"]

#: Every setting with its default and a comment; read from the installed package.
DEFAULTS_FILE = resources.files("core").joinpath("default.toml")
#: The deployer's settings, when the file exists (SPECTRUM_CONFIG names another).
DEPLOYER_FILE = Path("config") / "spectrum.toml"
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
    """Return every setting: defaults, overridden by the deployer's file, the environment,
    then `overrides`.

    Raises KeyError naming the key when the file or an override names a setting that does
    not exist, so a typo never goes unnoticed.
    """
    with DEFAULTS_FILE.open("rb") as handle:
        settings: dict[str, Any] = tomllib.load(handle)
    deployer = Path(os.environ.get("SPECTRUM_CONFIG") or DEPLOYER_FILE)
    if deployer.is_file():
        with deployer.open("rb") as handle:
            for key, value in tomllib.load(handle).items():
                if key not in settings:
                    raise KeyError(f"{deployer}: unknown setting {key!r}; known settings are listed in {DEFAULTS_FILE}")
                settings[key] = value
    elif os.environ.get("SPECTRUM_CONFIG"):
        raise FileNotFoundError(f"SPECTRUM_CONFIG names {deployer}, which is not a file")
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
