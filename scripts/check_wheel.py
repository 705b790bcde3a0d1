"""The wheel check of scripts/check-wheel: what a deployer who installs the wheel gets.

The wheel is installed with `pip install --target` into a temporary folder that comes
first on PYTHONPATH, and every command runs from another temporary folder, so the
installed files are what is imported (checked), not the checkout; the dependencies come
from the current environment.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

#: Files the running product reads besides its modules: one of each kind, by pattern.
REQUIRED = {
    "the default settings": r"^core/default\.toml$",
    "the page templates": r"^core/web/templates/base\.html$",
    "the static files": r"^core/web/static/app\.js$",
    "the vendored scripts": r"^core/web/static/vendor/htmx-[\d.]+\.min\.js$",
    "the kernel's migrations": r"^core/migrations/.+\.py$",
    "an addon's migrations": r"^addons/sales/migrations/versions/.+\.py$",
    "an addon's templates": r"^addons/service_desk/templates/.+\.html$",
    "the scaffold template": r"^core/addons/scaffold_template/",
}
#: What stays in the repository.
FORBIDDEN = r"(^|/)tests?/|(^|/)conftest\.py$|(^|/)test_[^/]*\.py$"


def step(message: str) -> None:
    print(f"==> check-wheel: {message}", flush=True)


#: Not part of the source: setuptools keeps earlier builds in build/, which would leak into the wheel.
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "instance", "test-artifacts",
                                 "__pycache__", "node_modules")


def build(root: Path, work: Path) -> Path:
    """The wheel of the checkout as it is now, built from a clean copy of its files."""
    source, dist = work / "source", work / "dist"
    shutil.copytree(root, source, ignore=IGNORED)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(dist), str(source)], check=True, cwd=work)
    [wheel] = dist.glob("spectrum_erm-*.whl")
    return wheel


def check_contents(wheel: Path) -> int:
    names = zipfile.ZipFile(wheel).namelist()
    missing = [what for what, pattern in REQUIRED.items() if not any(re.search(pattern, name) for name in names)]
    shipped_tests = [name for name in names if re.search(FORBIDDEN, name)
                     and not name.startswith(("core/testing/", "core/addons/scaffold_template/"))]
    if missing or shipped_tests:
        sys.exit(f"check-wheel: {wheel.name} lacks {', '.join(missing) or 'nothing'}; "
                 f"ships {len(shipped_tests)} test file(s): {shipped_tests[:5]}")
    return len(names)


def install(wheel: Path, work: Path) -> Path:
    site = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, cwd=work)
    return site


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_one_page(site: Path, work: Path) -> None:
    run = work / "run"
    run.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "SPECTRUM_DEVELOPMENT": "true",
           "SPECTRUM_INSTANCE_PATH": str(run / "instance"), "SPECTRUM_DATABASE_URL": "",
           "SPECTRUM_ADMIN_PASSWORD": "wheel check passphrase 7431"}
    env.pop("SPECTRUM_CONFIG", None)
    cli = [sys.executable, "-c", "from core.cli import main; main()"]
    where = subprocess.run([sys.executable, "-c", "import core; print(core.__file__)"], env=env, cwd=run,
                           check=True, capture_output=True, text=True).stdout.strip()
    if not where.startswith(str(site)):
        sys.exit(f"check-wheel: the checkout was imported ({where}), not the installed wheel")
    subprocess.run([*cli, "init"], env=env, cwd=run, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=run,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    status, page = response.status, response.read().decode()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"check-wheel: the server did not answer: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.3)
        if status != 200 or "SPECTRUM" not in page:
            sys.exit(f"check-wheel: GET /login answered {status}")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="spectrum-wheel-") as folder:
        work = Path(folder)
        step("building the wheel")
        wheel = build(root, work)
        files = check_contents(wheel)
        step(f"{wheel.name}: {files} files, the defaults, templates and migrations in it, no tests")
        site = install(wheel, work)
        step("installed alone; creating a database and serving /login")
        serve_one_page(site, work)
    step(f"passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
