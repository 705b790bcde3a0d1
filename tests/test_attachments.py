"""Files on any record: attached by who may update the record, listed and downloaded by who
may read it, removed by who may update it; too large, empty and program files refused with
the reason; contents kept through the storage interface (a folder, or an S3-compatible
bucket: here a local S3 server, moto's, since no real one runs on this machine)."""
from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.storage import BlobMissing, FilesystemStore, S3Store, blob_store
from core.testing.web import sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def files(app, tmp_path):
    app.extensions["spectrum"].settings.update({"storage": "filesystem", "storage_path": str(tmp_path / "files")})
    return tmp_path / "files"


@pytest.fixture
def world(app, make_user, files):
    ann = make_user("ann", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    mine = Env.for_user(ann).records.create("contacts", {"last_name": "Lovelace", "owner_id": ann.id})
    db.session.commit()
    return {"ann": ann, "bob": bob, "contact": mine}


def _upload(api, contact_id, name, data, media="application/octet-stream"):
    return api.post(f"/api/v1/contacts/{contact_id}/attachments", data={"file": (io.BytesIO(data), name, media)},
                    content_type="multipart/form-data")


def test_attach_list_download_and_remove_through_the_api(world, api_as, files):
    api, contact = api_as(world["ann"]), world["contact"]
    made = _upload(api, contact.id, "quote.pdf", PDF)
    assert made.status_code == 201, made.json
    [file] = made.json["data"]
    assert (file["filename"], file["media_type"], file["size"]) == ("quote.pdf", "application/pdf", len(PDF))
    assert datetime.fromisoformat(file["created_at"]).tzinfo is not None, "RFC 3339, as every date of the API"
    assert (files / file["sha256"][:2] / file["sha256"]).read_bytes() == PDF, "kept on disk by its SHA-256"
    assert [f["id"] for f in api.get(f"/api/v1/contacts/{contact.id}/attachments").json["data"]] == [file["id"]]
    download = api.get(file["content_url"])
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert api.delete(f"/api/v1/attachments/{file['id']}").status_code == 204
    assert api.get(f"/api/v1/contacts/{contact.id}/attachments").json["data"] == []
    assert not (files / file["sha256"][:2] / file["sha256"]).exists(), "the contents went with it"


def test_who_may_not_read_or_update_the_record_is_refused(world, api_as):
    contact = world["contact"]
    [file] = _upload(api_as(world["ann"]), contact.id, "quote.pdf", PDF).json["data"]
    bob = api_as(world["bob"])  # contacts.own: Ann's contact is not his
    assert bob.get(f"/api/v1/contacts/{contact.id}/attachments").status_code == 404
    assert bob.get(file["content_url"]).status_code == 404
    assert bob.delete(f"/api/v1/attachments/{file['id']}").status_code == 404
    assert _upload(bob, contact.id, "x.pdf", PDF).status_code == 404
    assert bob.get("/api/v1/attachments").status_code == 403, "no way around the record's rights"
    assert [f["id"] for f in api_as(world["ann"]).get(f"/api/v1/contacts/{contact.id}/attachments").json["data"]] \
        == [file["id"]]


@pytest.fixture
def reader_role(app):
    """A role that reads every contact and changes none."""
    system = Env.system()
    role = system.records.create("roles", {"name": "Contacts: read only"})
    system.records.create("model_access", {"role_id": role.id, "model": "contacts", "can_read": True})
    db.session.commit()
    return role


def _give_roles(user, *roles):
    """Replace the roles of `user` (roles or external ids of roles)."""
    from core.addons.data import resolve_xid

    ids = [resolve_xid(r).record_id if isinstance(r, str) else r.id for r in ("base.user", *roles)]
    Env.system().records.update("users", user.id, {"roles": ids})
    db.session.commit()


def _panel(client, contact_id):
    from bs4 import BeautifulSoup

    page = client.get(f"/m/contacts/{contact_id}")
    assert page.status_code == 200
    return BeautifulSoup(page.text, "html.parser").select_one("#panel-attachments")


def test_a_reader_of_the_record_lists_and_downloads_but_may_not_attach_or_remove(app, world, api_as, make_user,
                                                                                  reader_role):
    contact = world["contact"]
    [file] = _upload(api_as(world["ann"]), contact.id, "quote.pdf", PDF).json["data"]
    rita = make_user("rita")
    # She reads every contact, and may update contacts (her own only, by the record rule).
    _give_roles(rita, reader_role, "contacts.own")
    api = api_as(rita)
    assert [f["id"] for f in api.get(f"/api/v1/contacts/{contact.id}/attachments").json["data"]] == [file["id"]]
    assert api.get(file["content_url"]).data == PDF
    assert _upload(api, contact.id, "x.pdf", PDF).status_code == 403
    refused = api.delete(f"/api/v1/attachments/{file['id']}")
    assert refused.status_code == 403 and "only who may update the record or attached the file" in refused.json["detail"]
    assert [f["id"] for f in api.get(f"/api/v1/contacts/{contact.id}/attachments").json["data"]] == [file["id"]]
    reader = app.test_client()
    sign_in(reader, "rita")
    panel = _panel(reader, contact.id)
    assert [a.get_text(strip=True) for a in panel.select("a[download]")] == ["📎 quote.pdf"]
    assert panel.select("form.upload") == [], "no upload form for who may not update the record"
    assert panel.select("form[action$='/delete']") == [], "no remove button either"
    owner = app.test_client()
    sign_in(owner, "ann")
    panel = _panel(owner, contact.id)
    assert len(panel.select("form.upload")) == 1 and len(panel.select("form[action$='/delete']")) == 1


def test_who_attached_a_file_may_remove_it_after_losing_the_right_to_update_the_record(app, world, api_as,
                                                                                       make_user, reader_role):
    contact = world["contact"]
    carl = make_user("carl", roles=["contacts.user"])
    [his] = _upload(api_as(carl), contact.id, "notes.pdf", PDF).json["data"]
    [hers] = _upload(api_as(world["ann"]), contact.id, "quote.pdf", PDF + b"\n").json["data"]
    _give_roles(carl, reader_role)
    browser_like = app.test_client()
    sign_in(browser_like, "carl")
    panel = _panel(browser_like, contact.id)
    assert [form["action"] for form in panel.select("form[action$='/delete']")] == [f"/attachments/{his['id']}/delete"]
    assert panel.select("form.upload") == []
    api = api_as(carl)
    assert api.delete(f"/api/v1/attachments/{hers['id']}").status_code == 403
    assert api.delete(f"/api/v1/attachments/{his['id']}").status_code == 204
    assert [f["id"] for f in api.get(f"/api/v1/contacts/{contact.id}/attachments").json["data"]] == [hers["id"]]


def test_too_large_empty_and_program_files_are_refused_with_the_reason(app, world, api_as):
    api, contact = api_as(world["ann"]), world["contact"]
    app.extensions["spectrum"].settings["attachment_max_bytes"] = 1024
    big = _upload(api, contact.id, "big.pdf", PDF + b"0" * 2000)
    assert big.status_code == 422 and "files up to" in big.json["errors"]["file"][0]
    empty = _upload(api, contact.id, "empty.txt", b"")
    assert empty.status_code == 422 and "is empty" in empty.json["errors"]["file"][0]
    program = _upload(api, contact.id, "invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)  # a Windows program
    assert program.status_code == 422 and "programs and scripts are not accepted" in program.json["errors"]["file"][0]
    script = _upload(api, contact.id, "run.sh", b"#!/bin/sh\nrm -rf /\n")
    assert script.status_code == 422
    assert api.get(f"/api/v1/contacts/{contact.id}/attachments").json["data"] == [], "nothing half-written"


def test_the_filesystem_store_writes_whole_files_and_refuses_odd_keys(tmp_path):
    store = FilesystemStore(tmp_path)
    key = "a" * 64
    store.put(key, b"hello")
    store.put(key, b"hello")
    assert store.get(key) == b"hello" and store.exists(key) and store.size(key) == 5
    assert not list(tmp_path.rglob(".incoming-*")), "no temporary file left"
    store.delete(key)
    with pytest.raises(BlobMissing):
        store.get(key)
    assert (store.exists(key), store.size(key)) == (False, None)
    with pytest.raises(ValueError):
        store.put("../../etc/passwd", b"x")


def test_a_namespace_keeps_an_owners_contents_apart(tmp_path):
    settings = {"storage": "filesystem", "storage_path": str(tmp_path)}
    kernel, other = blob_store(settings), blob_store(settings, "service_desk")
    key = "b" * 64
    other.put(key, b"theirs")
    assert not kernel.exists(key) and (tmp_path / "service_desk" / "bb" / key).read_bytes() == b"theirs"
    with pytest.raises(ValueError):
        blob_store(settings, "../elsewhere")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server():
    """moto's S3-compatible server on a free port, for the bucket store."""
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


def test_attachments_kept_in_an_s3_compatible_bucket(app, world, api_as, s3_server):
    settings = {"storage": "s3", "s3_bucket": "spectrum-files", "s3_endpoint_url": s3_server, "s3_region": "us-east-1",
                "s3_access_key_id": "test", "s3_secret_access_key": "test", "s3_prefix": "attachments/"}
    app.extensions["spectrum"].settings.update(settings)
    store = blob_store(app.extensions["spectrum"].settings)
    assert isinstance(store, S3Store)
    store.client.create_bucket(Bucket="spectrum-files")
    api = api_as(world["ann"])
    [file] = _upload(api, world["contact"].id, "quote.pdf", PDF).json["data"]
    listed = store.client.list_objects_v2(Bucket="spectrum-files")["Contents"]
    assert [item["Key"] for item in listed] == [f"attachments/{file['sha256']}"]
    assert api.get(file["content_url"]).data == PDF
    assert (store.exists(file["sha256"]), store.size(file["sha256"])) == (True, len(PDF))
    assert api.delete(f"/api/v1/attachments/{file['id']}").status_code == 204
    assert (store.exists(file["sha256"]), store.size(file["sha256"])) == (False, None)
    assert store.client.list_objects_v2(Bucket="spectrum-files").get("KeyCount") == 0
    blob_store(app.extensions["spectrum"].settings, "service_desk").put("c" * 64, b"theirs")
    assert [item["Key"] for item in store.client.list_objects_v2(Bucket="spectrum-files")["Contents"]] == \
        [f"attachments/service_desk/{'c' * 64}"]


@pytest.mark.browser
def test_upload_and_download_on_the_record_page_and_a_refusal_for_who_may_not(app, live_server, browser, world,
                                                                               tmp_path):
    contact = world["contact"]
    page = browser.new_page(accept_downloads=True)
    sign_in_browser(page, live_server, "ann")
    page.goto(f"{live_server}/m/contacts/{contact.id}")
    panel = page.locator("#panel-attachments")
    source = tmp_path / "quote.pdf"
    source.write_bytes(PDF)
    panel.locator("input[type=file]").set_input_files(str(source))
    panel.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("1 file(s) attached.")
    link = page.locator("#panel-attachments a", has_text="quote.pdf")
    with page.expect_download() as caught:
        link.click()
    assert Path(caught.value.path()).read_bytes() == PDF
    href = link.get_attribute("href")
    page.close()

    bob = browser.new_page()
    sign_in_browser(bob, live_server, "bob")  # contacts.own: Ann's contact is not his
    assert bob.goto(f"{live_server}{href}").status == 404
    assert bob.goto(f"{live_server}/m/contacts/{contact.id}").status == 404
    token = bob.locator('meta[name="csrf-token"]').get_attribute("content")
    refused = bob.request.post(f"{live_server}/m/contacts/{contact.id}/attachments",
                               multipart={"csrf_token": token, "file": {"name": "x.pdf", "mimeType": "application/pdf",
                                                                        "buffer": PDF}})
    assert refused.status == 404
    bob.close()
    db.session.rollback()
    assert [a.filename for a in Env.system().records.search("attachments").records] == ["quote.pdf"]

    page = browser.new_page()
    sign_in_browser(page, live_server, "ann")
    page.goto(f"{live_server}/m/contacts/{contact.id}")
    page.once("dialog", lambda dialog: dialog.accept())  # "Remove quote.pdf?"
    page.locator("#panel-attachments").get_by_role("button", name="Remove").click()
    expect(page.locator(".flash.success")).to_contain_text("quote.pdf removed.")
    expect(page.locator("#panel-attachments")).to_contain_text("No files yet.")
    page.close()


def test_the_files_of_a_deleted_record_go_with_it(app, world, api_as, make_user, files):
    ann, contact = world["ann"], world["contact"]
    [file] = _upload(api_as(ann), contact.id, "quote.pdf", PDF).json["data"]
    stored = files / file["sha256"][:2] / file["sha256"]
    assert stored.exists()
    manager = make_user("meg", roles=["contacts.manager"])
    assert api_as(manager).delete(f"/api/v1/contacts/{contact.id}").status_code == 204
    db.session.rollback()
    assert Env.system().records.search("attachments").records == [], "no file left on a record that is gone"
    assert not stored.exists(), "nor its contents"
    again = Env.system().records.create("contacts", {"last_name": "Newcomer", "owner_id": ann.id})
    db.session.commit()
    assert api_as(ann).get(f"/api/v1/contacts/{again.id}/attachments").json["data"] == []


def test_the_platforms_own_settings_and_logs_take_no_files_and_a_hidden_file_is_not_found(world, api_as, admin):
    api = api_as(admin)
    saved = api.post("/api/v1/saved_filters", json={"name": "Mine", "model": "contacts", "domain": []}).json
    import io

    upload = api.post(f"/api/v1/saved_filters/{saved['id']}/attachments", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(PDF), "x.pdf", "application/pdf")})
    assert upload.status_code == 404 and upload.json["detail"] == "saved_filters records take no attachments"
    assert api.get(f"/api/v1/saved_filters/{saved['id']}/attachments").status_code == 404
    missing = api.get("/api/v1/attachments/999/content")
    assert missing.status_code == 404 and missing.json["detail"] == "attachments #999 does not exist or you may not see it"
