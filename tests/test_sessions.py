"""The secret key: the app refuses a forgeable key outside development and generates one in it."""
from __future__ import annotations

import os
import stat

import pytest

from core.app import create_app
from core.secret_key import InsecureSecretKey

OLD_DEFAULT_KEY = "dev-only-change-me"
GOOD_KEY = "3f1c0a9e5b7d4c2e8a6f0b1d3c5e7a9f2b4d6e8a0c1e3f5a"


def test_outside_development_an_unsafe_key_stops_the_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for key, problem in [("", "is not set"), ("   ", "is not set"), (OLD_DEFAULT_KEY, "is a well-known placeholder"),
                         ("ChangeMe", "is a well-known placeholder"), ("test-secret", "is a well-known placeholder"),
                         ("x" * 31, "has fewer than 32 characters")]:
        with pytest.raises(InsecureSecretKey) as refused:
            create_app({"database_url": url, "development": False, "secret_key": key, "instance_path": str(tmp_path)})
        message = str(refused.value)
        assert f"the secret key (setting secret_key) {problem};" in message, key
        assert "SPECTRUM_SECRET_KEY" in message and "secrets.token_hex(32)" in message
    assert not (tmp_path / "secret_key").exists(), "no key is generated outside development"
    production = create_app({"database_url": url, "development": False, "secret_key": GOOD_KEY})
    assert production.secret_key == GOOD_KEY and production.config["SESSION_COOKIE_SECURE"] is True
    plain_http = create_app({"database_url": url, "development": False, "secret_key": GOOD_KEY,
                             "secure_cookies": False})
    assert plain_http.config["SESSION_COOKIE_SECURE"] is False
    development = create_app({"database_url": url, "development": True, "secret_key": OLD_DEFAULT_KEY})
    assert development.config["SESSION_COOKIE_SECURE"] is False, "the development server speaks plain HTTP"


def test_development_generates_a_private_key_once_and_keeps_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    instance = tmp_path / "instance"
    overrides = {"database_url": url, "development": True, "secret_key": "", "instance_path": str(instance)}
    first, second = create_app(overrides), create_app(overrides)
    key_file = instance / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64 and first.secret_key not in (OLD_DEFAULT_KEY, "")
    # Everything that signs (mail links, web forms) reads the resolved key from the settings.
    assert first.extensions["spectrum"].settings["secret_key"] == first.secret_key
    assert [path.name for path in instance.iterdir()] == ["secret_key"], "no draft is left behind"
    other = create_app({**overrides, "instance_path": str(tmp_path / "elsewhere")})
    assert other.secret_key != first.secret_key
