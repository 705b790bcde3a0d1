"""Settings come from the defaults inside the package, then the deployer's file, then the
environment, then overrides; a key the defaults do not have is refused by name."""
from __future__ import annotations

import pytest

from core.config import DEFAULTS_FILE, load_settings


def test_the_defaults_ship_inside_the_package():
    assert DEFAULTS_FILE.name == "default.toml" and "core" in str(DEFAULTS_FILE)
    assert load_settings()["company_currency"] == "USD"


def test_the_deployers_file_then_the_environment_then_overrides(tmp_path, monkeypatch):
    deployer = tmp_path / "site.toml"
    deployer.write_text('company_currency = "EUR"\ntimezone = "Europe/Paris"\npage_size = 30\n')
    monkeypatch.setenv("SPECTRUM_CONFIG", str(deployer))
    monkeypatch.setenv("SPECTRUM_TIMEZONE", "Europe/Berlin")
    settings = load_settings({"page_size": 40})
    assert (settings["company_currency"], settings["timezone"], settings["page_size"]) == (
        "EUR", "Europe/Berlin", 40)


def test_config_spectrum_toml_in_the_working_directory_is_read(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "spectrum.toml").write_text('company_currency = "JPY"\n')
    monkeypatch.delenv("SPECTRUM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_settings()["company_currency"] == "JPY"


def test_a_misspelt_key_or_a_missing_file_is_refused(tmp_path, monkeypatch):
    deployer = tmp_path / "site.toml"
    deployer.write_text('compnay_currency = "EUR"\n')
    monkeypatch.setenv("SPECTRUM_CONFIG", str(deployer))
    with pytest.raises(KeyError, match="compnay_currency"):
        load_settings()
    monkeypatch.setenv("SPECTRUM_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(FileNotFoundError, match="missing.toml"):
        load_settings()
