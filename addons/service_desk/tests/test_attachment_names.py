"""Attachment names as customers, agents and API callers give them (letters of any
script, line breaks, paths, invisible characters) are cleaned on upload and downloaded
with both an ASCII `filename` and the exact RFC 5987 `filename*`; files may be larger
than other requests, up to `max_upload_bytes`."""
from __future__ import annotations

import base64
import io

import pytest
from sqlalchemy import update

from core.db import db
from core.testing.web import sign_in

from addons.service_desk.models import TicketAttachment

pytestmark = pytest.mark.spectrum_addons("service_desk")

RESUME = "résumé€.txt"
RESUME_DISPOSITION = "attachment; filename=resume.txt; filename*=UTF-8''r%C3%A9sum%C3%A9%E2%82%AC.txt"


@pytest.fixture
def carla(desk):
    return desk.customer("carla")


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    """A multipart body naming each file with RFC 5987 `filename*` (UTF-8, percent-encoded),
    as a client may send any name, line breaks included."""
    from urllib.parse import quote

    parts = [f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts += [f"--B\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''{quote(name)}\r\n"
              f"Content-Type: text/plain\r\n\r\n".encode() + content + b"\r\n" for name, content in files]
    return b"".join(parts) + b"--B--\r\n"


def _files(desk, ticket_id: int) -> list[TicketAttachment]:
    db.session.expire_all()
    return desk.records.search("ticket_attachments", [["ticket_id", "=", ticket_id]], order="id").records


def test_names_from_the_portal_are_cleaned_and_downloaded_with_rfc5987_names(carla, client, desk):
    token = sign_in(client, "carla")
    opened = client.post("/portal/tickets/new", content_type="multipart/form-data", data={
        "csrf_token": token, "subject": "My CV", "body": "Attached.", "files": (io.BytesIO(b"cv"), RESUME)})
    assert opened.status_code == 303, opened.get_data(as_text=True)
    ticket_id = int(opened.location.rsplit("/", 1)[1])
    replied = client.post(f"/portal/tickets/{ticket_id}/reply", content_type="multipart/form-data; boundary=B",
                          data=_multipart({"csrf_token": token, "body": "Two more."}, [
                              ("report\r\nX-Evil: 1.txt", b"one"), ("C:\\Users\\carla\\..\\\u202etxt.exe", b"two")]))
    assert replied.status_code == 303
    files = _files(desk, ticket_id)
    assert [f.filename for f in files] == [RESUME, "report X-Evil: 1.txt", "txt.exe"]
    dispositions = [client.get(f"/service-desk/attachments/{f.id}").headers["Content-Disposition"] for f in files]
    assert dispositions == [RESUME_DISPOSITION, 'attachment; filename="report X-Evil: 1.txt"',
                            "attachment; filename=txt.exe"]
    download = client.get(f"/service-desk/attachments/{files[0].id}")
    assert (download.status_code, download.data, download.headers["Content-Security-Policy"]) == (200, b"cv", "sandbox")


def test_names_from_the_api_are_cleaned_and_a_name_stored_before_downloads_too(carla, api_as, client, desk):
    agent = desk.agent("agnes")
    ticket = desk.ticket(contact_id=carla.contact_id)
    content = base64.b64encode(b"data").decode()
    attached = api_as(agent).post(f"/api/v1/tickets/{ticket.id}/attach", json={"attachments": [
        {"filename": "notes\r\n.txt", "content_base64": content, "content_type": "text/plain\r\nX-Evil: 1"},
        {"filename": RESUME, "content_base64": content},
        {"filename": "../../" + "x" * 300 + ".pdf", "content_base64": content},
        {"filename": "\r\n..", "content_base64": content}]})
    assert attached.status_code == 200, attached.get_json()
    assert [(f["filename"], f["content_type"]) for f in attached.get_json()["data"]] == [
        ("notes .txt", "application/octet-stream"), (RESUME, "application/octet-stream"),
        ("x" * 251 + ".pdf", "application/octet-stream"), ("attachment", "application/octet-stream")]
    # A name (and a type) stored before names were cleaned downloads without breaking the answer.
    first = attached.get_json()["data"][0]["id"]
    db.session.execute(update(TicketAttachment).where(TicketAttachment.id == first).values(
        filename="old\r\nSet-Cookie: x=1.txt", content_type="text/html\r\nX-Evil: 1"))
    db.session.commit()
    sign_in(client, "agnes")
    download = client.get(f"/service-desk/attachments/{first}")
    assert download.status_code == 200
    assert (download.headers["Content-Disposition"], download.mimetype) == (
        'attachment; filename="old Set-Cookie: x=1.txt"', "application/octet-stream")
    assert client.get(f"/service-desk/attachments/{attached.get_json()['data'][1]['id']}").headers[
        "Content-Disposition"] == RESUME_DISPOSITION


def test_uploads_may_be_larger_than_other_requests(carla, api_as, desk):
    agent = api_as(desk.agent("agnes"))
    ticket = desk.ticket(contact_id=carla.contact_id)
    twelve_megabytes = base64.b64encode(b"x" * (12 * 1024 * 1024)).decode()
    attached = agent.post(f"/api/v1/tickets/{ticket.id}/attach", json={"attachments": [
        {"filename": "big.bin", "content_base64": twelve_megabytes}]})
    assert attached.status_code == 200 and attached.get_json()["data"][0]["size"] == 12 * 1024 * 1024
    not_an_upload = agent.patch(f"/api/v1/tickets/{ticket.id}", json={"version": 1, "subject": twelve_megabytes})
    assert (not_an_upload.status_code, not_an_upload.mimetype) == (413, "application/problem+json")
    too_large = agent.post(f"/api/v1/tickets/{ticket.id}/attach", json={"attachments": [
        {"filename": "huge.bin", "content_base64": twelve_megabytes * 3}]})
    assert too_large.status_code == 413 and "30 MB" in too_large.get_json()["detail"]


def test_content_that_is_not_base64_is_refused_with_the_reason(carla, api_as, desk):
    agent = api_as(desk.agent("agnes"))
    ticket = desk.ticket(contact_id=carla.contact_id)
    for content in ("not base64!", "ÿþ¼½", 12):
        refused = agent.post(f"/api/v1/tickets/{ticket.id}/attach", json={"attachments": [
            {"filename": "a.txt", "content_base64": content}]})
        assert refused.status_code == 422, content
        assert "content_base64" in refused.get_json()["errors"]["attachments"][0]
