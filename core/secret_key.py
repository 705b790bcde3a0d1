"""The secret key that signs sessions and links: checked outside development, generated in it.

Whoever knows the key can forge a session cookie, a CSRF token, a mail link or a web-form
token. Outside development the app refuses to start with no key, a well-known
placeholder or a short one. In development an empty key means a random one, generated on
first run and kept in the instance folder (readable by its owner only), so sessions
survive a restart of the development server.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any, Mapping


__all__ = ["InsecureSecretKey", "resolve_secret_key", "MIN_SECRET_KEY_LENGTH", "KEY_FILE_NAME"]

MIN_SECRET_KEY_LENGTH = 32
KEY_FILE_NAME = "secret_key"

#: Placeholders that documentation, examples and this project's own history have used.
_KNOWN_PLACEHOLDERS = frozenset({
    "dev-only-change-me", "change-me", "changeme", "change_me", "change-this", "changethis", "please-change-me",
    "secret", "secret-key", "secret_key", "secretkey", "your-secret-key", "your_secret_key", "mysecretkey",
    "my-secret-key", "supersecret", "super-secret-key", "dev", "development", "development-key", "dev-key",
    "test", "test-secret", "testing", "insecure", "default", "example", "key", "password", "flask-secret-key",
})

_HOW_TO = ("make one with `python -c 'import secrets; print(secrets.token_hex(32))'` and set it as "
           "SPECTRUM_SECRET_KEY (the same on every worker and machine); on a development machine, "
           "SPECTRUM_DEVELOPMENT=true generates one in the instance folder instead")


class InsecureSecretKey(RuntimeError):
    """Outside development, the configured secret key is missing or could be guessed."""


def resolve_secret_key(settings: Mapping[str, Any]) -> str:
    """The key to sign with: the configured one when it is safe (or in development), else
    in development a generated one kept in the instance folder.

    :raises InsecureSecretKey: outside development, naming what is wrong and what to do.
    """
    key = str(settings["secret_key"] or "")
    if settings["development"]:
        return key or _instance_key(Path(settings["instance_path"]))
    problem = _weakness(key)
    if problem:
        raise InsecureSecretKey(f"refusing to start: the secret key (setting secret_key) {problem}; it signs "
                                f"sessions and mail links, and anyone who knows it can sign in as anyone. {_HOW_TO}")
    return key


def _weakness(key: str) -> str | None:
    if not key.strip():
        return "is not set"
    if key.strip().lower() in _KNOWN_PLACEHOLDERS:
        return "is a well-known placeholder"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"has fewer than {MIN_SECRET_KEY_LENGTH} characters"
    return None


def _instance_key(instance: Path) -> str:
    """The key in `instance`/secret_key, written there first if there is none."""
    path = instance / KEY_FILE_NAME
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Written whole to a private file, then linked into place: a second process starting
        # at the same moment either links first (and this one reads its key) or finds the
        # complete file, never a half-written one.
        descriptor, draft = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()
