"""Many organizations on one installation (core.orgs): each created with its own
database and addon set, served by its host names, isolated from the others, suspended
and deleted by the operator's commands."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.test import Client

import core.orgs.dispatch as dispatch
from addon_fixtures import SPECTRUM, TESTS_DIR, database_state
from core.auth.accounts import issue_token
from core.auth.models import User
from core.cli import cli
from core.config import load_settings
from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue_many
from core.orgs.dispatch import OrganizationsApp
from core.orgs.provisioning import org_app, provision
from core.orgs.registry import Registry
from core.orgs.workers import OrganizationsWorker
from core.testing.web import csrf_token

PASSWORD = "Correct-Horse-42-battery"


@pytest.fixture
def installation(tmp_path: Path, pg_server_url: str | None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Settings of a many-organization installation in `tmp_path` (organizations' databases
    on the test PostgreSQL server when the suite runs on it, else SQLite files)."""
    overrides = {"instance_path": str(tmp_path / "instance"), "orgs_database_url": f"sqlite:///{tmp_path}/orgs.db",
                 "orgs_server_url": pg_server_url or "", "development": True, "secret_key": "k" * 64}
    for name, value in overrides.items():
        monkeypatch.setenv(f"SPECTRUM_{name.upper()}", str(value).lower() if isinstance(value, bool) else str(value))
    monkeypatch.setattr(dispatch, "REFRESH_SECONDS", 0.0)  # the tests change the registry and look at once
    return load_settings(overrides)


def _key(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"  # databases of parallel test workers never collide


def _provision(installation: dict[str, Any], key: str, host: str, addons: list[str]) -> Any:
    registry = Registry(installation["orgs_database_url"])
    return provision(registry, installation, key, key.title(), [host], addons, demo=False, admin_password=PASSWORD,
                     echo=lambda _line: None)


def _drop_all(installation: dict[str, Any]) -> None:
    runner = CliRunner()
    for org in Registry(installation["orgs_database_url"]).all():
        runner.invoke(cli, ["orgs", "delete", org.key, "--yes"])


@pytest.fixture
def two_orgs(installation: dict[str, Any]) -> Any:
    """Organization A with contacts only, B with contacts and sales, each with its admin."""
    a = _provision(installation, _key("shop"), "a.example.com", ["contacts"])
    b = _provision(installation, _key("dist"), "b.example.com", ["contacts", "sales"])
    yield a, b
    _drop_all(installation)


@contextmanager
def _org_context(installation: dict[str, Any], org: Any) -> Iterator[None]:
    """An app of `org` with its context pushed; its connections closed afterwards."""
    app = org_app(installation, org)
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def _admin_token() -> str:
    """A new API token of the current app's admin (committed)."""
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    token = issue_token(admin, "test", datetime.now(timezone.utc))
    db.session.commit()
    return token


def _token(installation: dict[str, Any], org: Any) -> str:
    with _org_context(installation, org):
        return _admin_token()


def test_each_host_is_served_with_its_organization_s_addons(installation: dict[str, Any], two_orgs: Any) -> None:
    a, b = two_orgs
    served = Client(OrganizationsApp(Registry(installation["orgs_database_url"]), installation))

    paths_a = set(served.get("/api/openapi.json", base_url="http://a.example.com").json["paths"])
    paths_b = set(served.get("/api/openapi.json", base_url="http://b.example.com").json["paths"])

    assert a.addons == ["base", "contacts"] and b.addons == ["base", "contacts", "sales"]
    assert "/api/v1/contacts" in paths_a and "/api/v1/contacts" in paths_b
    assert "/api/v1/opportunities" in paths_b and not any("opportunit" in path for path in paths_a)
    unknown = served.get("/login", base_url="http://c.example.com")
    assert unknown.status_code == 404 and "No such organization" in unknown.get_data(as_text=True)


def test_a_token_and_a_session_of_one_organization_are_refused_by_another(installation: dict[str, Any],
                                                                          two_orgs: Any) -> None:
    a, b = two_orgs
    served = OrganizationsApp(Registry(installation["orgs_database_url"]), installation)
    token_a = _token(installation, a)
    api = Client(served)
    headers = {"Authorization": f"Bearer {token_a}"}
    assert api.get("/api/v1/contacts", base_url="http://a.example.com", headers=headers).status_code == 200
    assert api.get("/api/v1/contacts", base_url="http://b.example.com", headers=headers).status_code == 401

    browser = Client(served)
    page = browser.get("/login", base_url="http://a.example.com").get_data(as_text=True)
    signed_in = browser.post("/login", base_url="http://a.example.com",
                             data={"login": "admin", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert signed_in.status_code == 303
    contacts_page = browser.get("/m/contacts", base_url="http://a.example.com")
    assert contacts_page.status_code == 200
    # A has no sales: no menu of it, no page of it (B, with sales, has them).
    assert "/m/opportunities" not in contacts_page.get_data(as_text=True)
    assert browser.get("/m/opportunities", base_url="http://a.example.com").status_code == 404
    # A's session cookie, replayed on B's host: B's admin has the same login and id, yet B signs nobody in.
    cookie = browser.get_cookie("session", domain="a.example.com")
    assert cookie is not None
    thief = Client(served)
    thief.set_cookie("session", cookie.value, domain="b.example.com")
    stolen = thief.get("/m/contacts", base_url="http://b.example.com")
    assert stolen.status_code in (302, 303) and "/login" in stolen.headers["Location"]


def test_a_suspended_organization_answers_503_until_resumed(installation: dict[str, Any], two_orgs: Any) -> None:
    a, _b = two_orgs
    runner = CliRunner()
    served = Client(OrganizationsApp(Registry(installation["orgs_database_url"]), installation))
    assert served.get("/login", base_url="http://a.example.com").status_code == 200

    suspended = runner.invoke(cli, ["orgs", "suspend", a.key])
    answer = served.get("/login", base_url="http://a.example.com")
    assert suspended.exit_code == 0, suspended.output
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "3600"
    assert served.get("/login", base_url="http://b.example.com").status_code == 200

    assert runner.invoke(cli, ["orgs", "resume", a.key]).exit_code == 0
    assert served.get("/login", base_url="http://a.example.com").status_code == 200


def test_the_commands_create_list_and_delete_after_a_dry_run(installation: dict[str, Any]) -> None:
    runner = CliRunner()
    key = _key("club")
    created = runner.invoke(cli, ["orgs", "create", key, "--name", "Chess club", "--host", "club.example.org",
                                  "--addon", "contacts", "--admin-password", PASSWORD])
    assert created.exit_code == 0, created.output
    assert "sign in as admin at http://club.example.org/login" in created.output
    taken = runner.invoke(cli, ["orgs", "create", _key("other"), "--name", "Other", "--host", "club.example.org",
                                "--admin-password", PASSWORD])
    assert taken.exit_code != 0 and "already serve" in taken.output
    listed = json.loads(runner.invoke(cli, ["orgs", "list", "--json"]).output)
    assert [(org["key"], org["hosts"], org["addons"]) for org in listed] == [
        (key, ["club.example.org"], ["base", "contacts"])]
    database = make_url(listed[0]["database_url"])

    dry = runner.invoke(cli, ["orgs", "delete", key])
    assert dry.exit_code == 0 and "would delete database" in dry.output and "nothing deleted" in dry.output
    assert len(Registry(installation["orgs_database_url"]).all()) == 1

    deleted = runner.invoke(cli, ["orgs", "delete", key, "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert Registry(installation["orgs_database_url"]).all() == []
    if database.get_backend_name() == "sqlite":
        assert not Path(str(database.database)).exists()


def test_a_refused_creation_leaves_nothing_behind(installation: dict[str, Any]) -> None:
    key = _key("weak")
    refused = CliRunner().invoke(cli, ["orgs", "create", key, "--name", "Weak", "--host", "weak.example.org",
                                       "--addon", "contacts", "--admin-password", "admin"])
    assert refused.exit_code != 0 and "password" in refused.output.lower()
    assert Registry(installation["orgs_database_url"]).all() == []
    assert not (Path(installation["instance_path"]) / "orgs" / key).exists()


def test_rate_limits_count_each_organization_apart(installation: dict[str, Any], two_orgs: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """One process, one limiter storage: a client throttled on A's sign-in is not on B's."""
    monkeypatch.setenv("SPECTRUM_LOGIN_RATE_LIMIT", "2 per minute")
    served = Client(OrganizationsApp(Registry(installation["orgs_database_url"]), installation))

    def attempt(host: str) -> int:
        page = served.get("/login", base_url=f"http://{host}").get_data(as_text=True)
        return served.post("/login", base_url=f"http://{host}",
                           data={"login": "admin", "password": "wrong", "csrf_token": csrf_token(page)}).status_code

    on_a = [attempt("a.example.com") for _ in range(3)]
    assert on_a[-1] == 429 and 429 not in on_a[:2]
    assert attempt("b.example.com") != 429


def test_upgrade_all_reports_the_organization_a_migration_fails_on_and_upgrades_the_others(
        installation: dict[str, Any], addon_site: Any) -> None:
    addon_site.vendor("widgets")
    keys = [_key("ok"), _key("broken")]
    for key in keys:
        addon_site.spectrum("orgs", "create", key, "--name", key, "--host", f"{key.replace('_', '-')}.example.com",
                            "--addon", "widgets", "--admin-password", PASSWORD, database_url="sqlite://")
    registry = Registry(installation["orgs_database_url"])
    ok, broken = (registry.get(key) for key in keys)
    # The broken organization's data makes widgets 2.0.0's migration fail: the column it adds is there.
    with create_engine(broken.database_url).begin() as conn:
        conn.execute(text("ALTER TABLE widgets ADD COLUMN weight INTEGER"))
    addon_site.upgrade_vendored("widgets", "widgets_v2", "2.0.0")

    result = addon_site.spectrum("orgs", "upgrade", "--all", database_url="sqlite://", expect=1)

    lines = result.stdout.splitlines()
    assert f"{ok.key}: upgraded widgets" in lines
    assert any(line.startswith(f"{broken.key}: FAILED, left as it was:") for line in lines), result.stdout
    assert lines[-1] == "summary: 1 upgraded, 1 failed"
    assert ("widgets", "2.0.0") in database_state(ok.database_url)["installed"]
    left = database_state(broken.database_url)
    assert ("widgets", "1.0.0") in left["installed"] and "a11ce0000002" not in left["alembic"]
    assert [org.status for org in registry.all()] == ["active", "active"]
    assert registry.get(ok.key).upgraded_at is not None and registry.get(broken.key).upgraded_at is None
    _drop_all(installation)


def test_one_worker_serves_every_organization_and_a_busy_one_never_holds_the_others_back(
        installation: dict[str, Any]) -> None:
    """Ten organizations, a thousand queued runs in one: in the first round every other
    organization's run has been executed, and the busy one has had its quantum only (the
    bound: a due run starts after at most (organizations - 1) x quantum runs of others)."""
    orgs = [_provision(installation, _key(f"o{number}"), f"o{number}.example.com", ["base"]) for number in range(10)]
    busy, quiet = orgs[0], orgs[1:]
    runs: dict[str, list[int]] = {}
    for org in orgs:
        with _org_context(installation, org):
            runs[org.key] = enqueue_many("jobs.prune", [{}] * (1000 if org is busy else 1))
            db.session.commit()
    registry = Registry(installation["orgs_database_url"])
    registry.update(quiet[-1].key, status="suspended")

    executed = OrganizationsWorker(registry, installation, quantum=10).run_round()

    def statuses(org: Any) -> Counter[str]:
        with _org_context(installation, org):
            return Counter(db.session.scalars(select(JobRun.status).where(JobRun.id.in_(runs[org.key]))))

    assert statuses(busy) == Counter({"succeeded": 10, "queued": 990}) and executed[busy.key] == 10
    for org in quiet[:-1]:
        assert statuses(org) == Counter({"succeeded": 1}), org.key
    assert quiet[-1].key not in executed and statuses(quiet[-1]) == Counter({"queued": 1})
    _drop_all(installation)


@pytest.mark.postgres_only
@pytest.mark.timeout(280)
def test_fifty_organizations_in_one_process_each_see_only_their_own(installation: dict[str, Any]) -> None:
    """Fifty organizations on one PostgreSQL server, served by one process: each one's
    admin sees only that organization's contact in the API, the list page and the export;
    a token of one is refused by every other host."""
    template = _provision(installation, _key("tpl"), "tpl.example.com", ["contacts"])
    registry = Registry(installation["orgs_database_url"])
    server = make_url(template.database_url)
    orgs = []
    with psycopg.connect(server.set(drivername="postgresql", database="postgres")
                         .render_as_string(hide_password=False), autocommit=True) as conn:
        for number in range(49):  # copies of the provisioned database, as quick as PostgreSQL makes them
            key = _key(f"org{number}")
            url = server.set(database=f"spectrum_{key}").render_as_string(hide_password=False)
            conn.execute(f'CREATE DATABASE "spectrum_{key}" TEMPLATE "{server.database}"')
            orgs.append(registry.add(key, key, [f"{key.replace('_', '-')}.example.com"], url, template.addons))
    orgs.append(template)
    serving = OrganizationsApp(registry, installation)
    tokens = {}
    for org in orgs:  # through the app that serves it, as its own jobs would
        with serving.app_for(org).app.app_context():
            Env.system().records.create("contacts", {"first_name": "Only", "last_name": org.key})
            tokens[org.key] = _admin_token()
            db.session.remove()
    served = Client(serving)

    for org in orgs:
        host = f"http://{org.hosts[0]}"
        own = {"Authorization": f"Bearer {tokens[org.key]}"}
        listed = served.get("/api/v1/contacts", base_url=host, headers=own)
        assert listed.status_code == 200
        assert [contact["last_name"] for contact in listed.json["data"]] == [org.key]
        other = orgs[(orgs.index(org) + 1) % len(orgs)]
        assert served.get("/api/v1/contacts", base_url=f"http://{other.hosts[0]}", headers=own).status_code == 401
    for org in (orgs[0], orgs[25], orgs[-1]):  # the pages and the export, signed in through the form
        browser = Client(serving)
        host = f"http://{org.hosts[0]}"
        page = browser.get("/login", base_url=host).get_data(as_text=True)
        browser.post("/login", base_url=host, data={"login": "admin", "password": PASSWORD,
                                                   "csrf_token": csrf_token(page)})
        listing = browser.get("/m/contacts", base_url=host).get_data(as_text=True)
        export = browser.get("/m/contacts/export.csv", base_url=host).get_data(as_text=True)
        others = [other.key for other in orgs if other is not org]
        assert org.key in listing and org.key in export
        assert not any(key in listing or key in export for key in others)
    _drop_all(installation)


def test_a_backup_restores_the_organization_and_a_copy_beside_it(installation: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    key = _key("bk")
    host = f"{key.replace('_', '-')}.example.com"
    org = _provision(installation, key, host, ["contacts"])
    with _org_context(installation, org):
        Env.system().records.create("contacts", {"first_name": "Kept", "last_name": "Safely"})
        db.session.commit()
    (Path(installation["instance_path"]) / "orgs" / key / "files").mkdir(parents=True, exist_ok=True)
    (Path(installation["instance_path"]) / "orgs" / key / "files" / "note.txt").write_text("an uploaded file")
    archive = tmp_path / "backup.tar.gz"

    backed_up = runner.invoke(cli, ["orgs", "backup", key, "--output", str(archive)])
    assert backed_up.exit_code == 0, backed_up.output
    assert runner.invoke(cli, ["orgs", "delete", key, "--yes"]).exit_code == 0
    restored = runner.invoke(cli, ["orgs", "restore", str(archive)])
    copy_key = _key("copy")
    copied = runner.invoke(cli, ["orgs", "restore", str(archive), "--key", copy_key, "--host", "copy.example.com"])
    taken = runner.invoke(cli, ["orgs", "restore", str(archive), "--key", _key("third")])

    assert restored.exit_code == 0, restored.output
    assert copied.exit_code == 0, copied.output
    assert taken.exit_code != 0 and "already serve" in taken.output and "nothing was restored" in taken.output
    registry = Registry(installation["orgs_database_url"])
    assert sorted(org.key for org in registry.all()) == sorted([key, copy_key])
    for restored_key in (key, copy_key):
        with _org_context(installation, registry.get(restored_key)):
            contacts = Env.system().records.search("contacts").records
            names = [(contact.first_name, contact.last_name) for contact in contacts]
        assert names == [("Kept", "Safely")]
        note = Path(installation["instance_path"]) / "orgs" / restored_key / "files" / "note.txt"
        assert note.read_text() == "an uploaded file"
    _drop_all(installation)


def _operator_sign_in(client: Client, password: str) -> Any:
    page = client.get("/login", base_url="http://ops.example.net").get_data(as_text=True)
    return client.post("/login", base_url="http://ops.example.net",
                       data={"login": "olga", "password": password, "csrf_token": csrf_token(page)})


def test_the_operator_page_is_for_operators_only_and_shows_each_organization(
        installation: dict[str, Any], two_orgs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = two_orgs
    monkeypatch.setenv("SPECTRUM_ORGS_OPERATOR_HOST", "ops.example.net")
    weak = CliRunner().invoke(cli, ["orgs", "operator", "olga", "--password", "olga1234"])
    created = CliRunner().invoke(cli, ["orgs", "operator", "olga", "--password", "Night-Shift-Operator-77"])
    assert weak.exit_code != 0 and created.exit_code == 0, created.output
    registry = Registry(installation["orgs_database_url"])
    served = OrganizationsApp(registry, {**installation, "orgs_operator_host": "ops.example.net"})
    stranger, olga = Client(served), Client(served)

    assert stranger.get("/", base_url="http://ops.example.net").headers["Location"].endswith("/login")
    # An organization's admin is nobody here.
    assert _operator_sign_in(stranger, PASSWORD).status_code == 401
    assert _operator_sign_in(olga, "Night-Shift-Operator-77").status_code == 303
    page = olga.get("/", base_url="http://ops.example.net").get_data(as_text=True)
    for org in (a, b):
        assert org.key in page and org.hosts[0] in page
    assert "sales 1." in page and "contacts 1." in page and "MB" in page

    form = olga.get("/", base_url="http://ops.example.net").get_data(as_text=True)
    suspended = olga.post(f"/orgs/{a.key}/suspend", base_url="http://ops.example.net",
                          data={"csrf_token": csrf_token(form)})
    forged = stranger.post(f"/orgs/{b.key}/suspend", base_url="http://ops.example.net", data={})
    assert suspended.status_code == 303 and registry.get(a.key).status == "suspended"
    assert forged.status_code in (302, 400) and registry.get(b.key).status == "active"
    # The operator's page is on its host only: an organization's host has no such page.
    assert Client(served).get("/orgs", base_url=f"http://{b.hosts[0]}").status_code == 404


def test_celery_workers_serve_every_organization_from_its_own_queue_in_turn(
        installation: dict[str, Any], redis_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Three organizations publish their runs to the broker, one of them 300: a Celery
    worker of `spectrum orgs worker` runs them all, the quiet ones' long before the busy
    one's queue is done (each organization has its queue, read in turn), and those of an
    organization created after it started."""
    monkeypatch.setenv("SPECTRUM_BROKER_URL", redis_url)
    settings = {**installation, "broker_url": redis_url}
    orgs = [_provision(installation, _key(f"q{number}"), f"q{number}.example.com", ["base"]) for number in range(3)]
    busy = orgs[0]
    runs: dict[str, list[int]] = {}
    for org in orgs:
        app = org_app(settings, org)
        with app.app_context():
            runs[org.key] = enqueue_many("jobs.prune", [{}] * (300 if org is busy else 2))
            db.session.commit()  # published on commit, to the organization's queue
            db.session.remove()
            db.engine.dispose()
    log = (tmp_path / "celery.log").open("w")
    worker = subprocess.Popen([str(SPECTRUM), "orgs", "worker", "--pool", "solo", "--beat"], stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True, cwd=TESTS_DIR.parent)
    late = _provision(installation, _key("late"), "late.example.com", ["base"])  # after the worker started
    with _org_context(settings, late):
        runs[late.key] = enqueue_many("jobs.prune", [{}] * 2)
        db.session.commit()

    def finished(org: Any) -> list[Any]:
        with _org_context(installation, org):
            return list(db.session.execute(select(JobRun.finished_at, JobRun.worker).where(
                JobRun.id.in_(runs[org.key]), JobRun.status == "succeeded")).all())

    try:
        deadline = time.monotonic() + 120
        while (len(finished(busy)) < 300 or len(finished(late)) < 2) and time.monotonic() < deadline \
                and worker.poll() is None:
            time.sleep(0.5)
        done = {org.key: finished(org) for org in [*orgs, late]}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        log.close()
    assert len(done[busy.key]) == 300, (tmp_path / "celery.log").read_text()[-3000:]
    assert {name.rsplit(":", 1)[1] for _at, name in done[busy.key]} == {str(worker.pid)}
    busy_order = sorted(at for at, _name in done[busy.key])
    for org in orgs[1:]:
        assert len(done[org.key]) == 2
        # Served in turn: the quiet organizations' runs ended before the busy one's 30th.
        assert max(at for at, _name in done[org.key]) < busy_order[29], org.key
    assert len(done[late.key]) == 2  # beat had the worker take the new organization's queue
    _drop_all(installation)


def test_the_served_application_is_the_organizations_dispatcher_when_a_registry_is_set(
        installation: dict[str, Any], two_orgs: Any) -> None:
    from core.web.serving import wsgi_application

    a, _b = two_orgs
    served = wsgi_application(load_settings())  # the environment names the registry (see `installation`)
    assert isinstance(served, OrganizationsApp)
    assert Client(served).get("/login", base_url=f"http://{a.hosts[0]}:5000").status_code == 200


def test_an_addon_extending_contacts_in_one_organization_leaves_the_others_contacts_as_they_are(
        installation: dict[str, Any]) -> None:
    """Model classes are the process's: cart_rescue's fields on contacts (lifetime order
    value) are B's only, and A's pages, API and export never ask its database for them."""
    a = _provision(installation, _key("plain"), "plain.example.com", ["contacts"])
    b = _provision(installation, _key("shop"), "shop.example.com", ["contacts", "cart_rescue"])
    tokens = {org.key: _token(installation, org) for org in (a, b)}
    served = Client(OrganizationsApp(Registry(installation["orgs_database_url"]), installation))
    for org in (b, a, b):  # B's app first, so the extension is mapped before A serves
        with _org_context(installation, org):
            Env.system().records.create("contacts", {"first_name": "Ann", "last_name": org.key})
            db.session.commit()
        answer = served.get("/api/v1/contacts", base_url=f"http://{org.hosts[0]}",
                            headers={"Authorization": f"Bearer {tokens[org.key]}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        fields = set(answer.json["data"][0])
        assert ("lifetime_order_value" in fields) == (org is b)
    _drop_all(installation)
