"""`spectrum addons scaffold`: a new addon distribution that installs, serves its API and passes its test."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from core.addons.scaffold import MAX_NAME_LENGTH, write_addon

BIN = Path(sys.executable).parent
SPECTRUM = BIN / "spectrum"


def _run(*command: Any, env: dict[str, str] | None = None, cwd: Path | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _spectrum(*args: str, env: dict[str, str]) -> str:
    result = _run(SPECTRUM, *args, env=env)
    assert result.returncode == 0, f"spectrum {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("name, message", [
    ("Visits", "is invalid: use lowercase letters"),
    ("9lives", "is invalid: use lowercase letters"),
    ("field-visits", "is invalid: use lowercase letters"),
    ("field__visits", "is invalid: use lowercase letters"),
    ("visits_", "is invalid: use lowercase letters"),
    ("visits\n", "is invalid: use lowercase letters"),
    ("v", "must be 2 to 30 characters long"),
    ("v" * (MAX_NAME_LENGTH + 1), "must be 2 to 30 characters long"),
    ("class", "is reserved"),
    ("core", "is reserved"),
    ("base", "is reserved"),
    ("contacts", "an addon named 'contacts' is already available"),
    ("json", "a Python module named 'json' already exists"),
])
def test_names_that_cannot_be_an_addon_are_refused(tmp_path, name, message):
    target = tmp_path / "addon"
    with pytest.raises(ValueError, match=re.escape(message)):
        write_addon(name, target)
    assert not target.exists()


def test_an_existing_target_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "field_visits"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=re.escape(f"{target} already exists: choose another --path")):
        write_addon("field_visits", target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_the_command_writes_the_distribution_and_refuses_to_overwrite_it(tmp_path):
    target = tmp_path / "out" / "field_visits"
    env = {**os.environ, "SPECTRUM_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    first = _run(SPECTRUM, "addons", "scaffold", "field_visits", "--path", target, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    migration = next(p for p in written if p.startswith("src/field_visits/migrations/versions/"))
    assert re.fullmatch(r"src/field_visits/migrations/versions/[0-9a-f]{12}_initial\.py", migration)
    assert written == sorted(["README.md", "pyproject.toml", "src/field_visits/__init__.py", migration,
                              "src/field_visits/models.py", "src/field_visits/plugin.py",
                              "tests/test_field_visits.py"])
    assert [line for line in first.stdout.splitlines() if line.startswith("wrote ")] == [
        f"wrote {target / p}" for p in ["README.md", "pyproject.toml", "src/field_visits/__init__.py", migration,
                                        "src/field_visits/models.py", "src/field_visits/plugin.py",
                                        "tests/test_field_visits.py"]]
    assert f"`spectrum addons install field_visits`" in first.stdout
    pyproject = (target / "pyproject.toml").read_text()
    assert '[project.entry-points."spectrum.addons"]\nfield_visits = "field_visits:manifest"' in pyproject
    assert 'name = "field-visits"' in pyproject
    for source in target.rglob("*.py"):
        compile(source.read_text(), str(source), "exec")
    again = _run(SPECTRUM, "addons", "scaffold", "field_visits", "--path", target, env=env, cwd=tmp_path)
    assert again.returncode == 1
    assert f"Error: {target} already exists: choose another --path, or remove it first" in again.stderr
    bad = _run(SPECTRUM, "addons", "scaffold", "Field", "--path", tmp_path / "x", env=env, cwd=tmp_path)
    assert (bad.returncode, bad.stderr.startswith("Error: addon name 'Field' is invalid")) == (1, True)
    assert not (tmp_path / "x").exists()


@pytest.fixture
def installed_scaffold(tmp_path: Path) -> tuple[str, Path]:
    """A freshly scaffolded addon, pip-installed into this test's own folder (`_site`), which
    only the test's subprocesses see (`_subprocess_env` puts it on their PYTHONPATH): the
    shared virtual environment is never touched, so suites running side by side never see
    a distribution half-installed."""
    name = f"scaffolded_{uuid.uuid4().hex[:8]}"
    target = tmp_path / name
    write_addon(name, target)
    install = _run(BIN / "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target",
                   _site(tmp_path), target)
    assert install.returncode == 0, install.stderr
    return name, target


def _site(tmp_path: Path) -> Path:
    return tmp_path / "site"


def _subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Each subprocess gets its own entry-point cache, so a cache made while the
    # scaffolded distribution is installed never outlives it; a key of its own, so
    # that development mode writes none into this checkout's instance folder; and the
    # test's own site folder, where the scaffolded addon is installed.
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "SPECTRUM_SECRET_KEY": "test-secret",
            "PYTHONPATH": str(_site(tmp_path)), **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.mark.slow
def test_a_scaffolded_addon_passes_its_own_tests(installed_scaffold, tmp_path, spectrum_backend, pg_server_url):
    _name, target = installed_scaffold
    env = _subprocess_env(tmp_path, **({"SPECTRUM_TEST_PG_URL": pg_server_url} if pg_server_url else {}))
    result = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--spectrum-db={spectrum_backend}",
                  env=env, cwd=target)
    tests = len(re.findall(r"^def test_", next(target.glob("tests/test_*.py")).read_text(), re.MULTILINE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"^{tests} passed in ", result.stdout, re.MULTILINE), result.stdout


@pytest.mark.slow
def test_a_scaffolded_addon_appears_in_the_api_once_installed(installed_scaffold, tmp_path, database_factory):
    name, target = installed_scaffold
    url = database_factory.empty()
    env = _subprocess_env(tmp_path, SPECTRUM_DATABASE_URL=url, SPECTRUM_NEW_PASSWORD="a long enough password",
                          SPECTRUM_RATELIMIT_ENABLED="false")
    server = None
    try:
        assert f"summary: installed 2 addon(s): base, {name}" in _spectrum("addons", "install", name, env=env)
        # The migration written from the template matches the model: autogenerate finds nothing to add.
        wrote = _spectrum("addons", "revision", name, "-m", "nothing to change", env=env).strip().splitlines()[-1]
        generated = Path(wrote.removeprefix("wrote ")).read_text()
        assert re.search(r"def upgrade\(\) -> None:\n(\s*#.*\n)*\s*pass\n", generated), generated
        _spectrum("users", "create", "integrator", "--name", "Integrator", "--role", f"{name}.user", env=env)
        token = _spectrum("tokens", "create", "integrator", env=env).strip().splitlines()[-1]
        port = _free_port()
        server = subprocess.Popen([str(SPECTRUM), "serve", "--port", str(port)], env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, listed = _call("GET", f"{base}/{name}_items", token)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "spectrum serve did not start"
                time.sleep(0.2)
        assert (status, listed["data"]) == (200, [])
        status, created = _call("POST", f"{base}/{name}_items", token, {"name": "From the API"})
        assert (status, created["name"], created["active"]) == (201, "From the API", True)
        status, meta = _call("GET", f"{base}/_meta/{name}_items", token)
        fields = {f["name"]: f for f in meta["fields"]}
        assert (status, fields["name"]["required"], fields["active"]["kind"]) == (200, True, "boolean")
        status, problem = _call("POST", f"{base}/{name}_items", token, {"active": False})
        assert (status, list(problem["errors"])) == (422, ["name"])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        database_factory.drop(url)
