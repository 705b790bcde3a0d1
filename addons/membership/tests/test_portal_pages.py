"""The members' portal pages: a member reads only their own gifts and receipts, signs up
for shifts while places are left and cancels before they start (never recording their
own attendance), and finds in the directory only the members who opted in, with only
the fields they share. (Paying and renewing online: test_checkout.py.)"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("membership")


def test_a_member_reads_only_their_own_gifts_and_receipts(client: Any, members: dict[str, Any]) -> None:
    sign_in(client, "mia")
    page = client.get("/members/donations").get_data(as_text=True)
    assert "40.00 EUR" in page and "900.00" not in page
    assert f'href="/members/receipts/{members["mia"]["receipt"]}.pdf"' in page
    pdf = client.get(f"/members/receipts/{members['mia']['receipt']}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert client.get(f"/members/receipts/{members['tom']['receipt']}.pdf").status_code == 404


def test_a_member_signs_up_while_places_are_left(client: Any, members: dict[str, Any]) -> None:
    records = Env.system().records
    role = records.create("volunteer_roles", {"name": "Steward"})
    shift = records.create("volunteer_shifts", {"title": "Spring fair", "role_id": role.id, "capacity": 1,
                                                "starts_at": datetime(2026, 4, 1, 9, tzinfo=timezone.utc),
                                                "ends_at": datetime(2026, 4, 1, 12, tzinfo=timezone.utc)})
    db.session.commit()
    token = sign_in(client, "tom")
    assert client.post(f"/members/volunteer/{shift.id}", data={"csrf_token": token}).status_code == 303
    assert "You are signed up" in client.get("/members/volunteer").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "mia")
    page = client.get("/members/volunteer").get_data(as_text=True)
    assert "Full" in page
    full = client.post(f"/members/volunteer/{shift.id}", data={"csrf_token": token})
    assert full.status_code == 422
    assert 'class="field-error"' in full.get_data(as_text=True) and "full" in full.get_data(as_text=True)


def _shift(capacity: int = 1) -> int:
    records = Env.system().records
    role = records.create("volunteer_roles", {"name": "Driver"})
    shift = records.create("volunteer_shifts", {"title": "Food run", "role_id": role.id, "capacity": capacity,
                                                "starts_at": datetime(2026, 4, 1, 9, tzinfo=timezone.utc),
                                                "ends_at": datetime(2026, 4, 1, 12, tzinfo=timezone.utc)})
    db.session.commit()
    return shift.id


def test_a_member_cancels_their_place_which_another_then_takes(client: Any, members: dict[str, Any]) -> None:
    shift = _shift()
    token = sign_in(client, "tom")
    client.post(f"/members/volunteer/{shift}", data={"csrf_token": token})
    cancelled = client.post(f"/members/volunteer/{shift}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    page = client.get("/members/volunteer").get_data(as_text=True)
    assert "You cancelled your place." in page and "1 place left" in page
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "mia")
    assert client.post(f"/members/volunteer/{shift}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/members/volunteer/{shift}", data={"csrf_token": token}).status_code == 303
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "tom")
    again = client.post(f"/members/volunteer/{shift}", data={"csrf_token": token})
    assert again.status_code == 422 and "full" in again.get_data(as_text=True)


def test_a_member_cannot_record_their_own_attendance_or_cancel_a_started_shift(
        client: Any, members: dict[str, Any], clock: Any) -> None:
    shift = _shift(capacity=5)
    token = sign_in(client, "tom")
    headers = {"X-CSRFToken": token}
    attended = client.post("/api/v1/volunteer_signups", headers=headers, json={
        "shift_id": shift, "contact_id": members["tom"]["contact"], "status": "attended", "hours": "40"})
    assert attended.status_code == 422 and "status" in attended.get_json()["errors"]
    signed = client.post("/api/v1/volunteer_signups", headers=headers,
                         json={"shift_id": shift, "contact_id": members["tom"]["contact"]})
    assert signed.status_code == 201
    signup, version = signed.get_json()["id"], signed.get_json()["version"]
    hours = client.patch(f"/api/v1/volunteer_signups/{signup}", headers=headers,
                         json={"status": "attended", "version": version})
    assert hours.status_code == 422 and "status" in hours.get_json()["errors"]
    clock.set(datetime(2026, 4, 1, 10, tzinfo=timezone.utc))
    token = sign_in(client, "tom")  # the session of January has idled out
    late = client.post(f"/members/volunteer/{shift}/cancel", data={"csrf_token": token})
    assert late.status_code == 422 and "This shift has started" in late.get_data(as_text=True)
    db.session.rollback()
    assert Env.system().records.get("volunteer_signups", signup).status == "signed_up"


def test_the_directory_shows_only_opted_in_members_and_their_shared_fields(client: Any,
                                                                           members: dict[str, Any]) -> None:
    token = sign_in(client, "tom")
    client.post("/members/directory/entry", data={"csrf_token": token, "listed": "on", "share_city": "on"})
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "mia")
    page = client.get("/members/directory").get_data(as_text=True)
    assert "Tom Member" in page and "Paris" in page and "tom@example.com" not in page
    assert "Mia Member" not in page, "Mia has not opted in"
    assert "Tom Member" not in client.get("/members/directory?city=Lyon").get_data(as_text=True)
    assert "Tom Member" in client.get("/members/directory?name=tom").get_data(as_text=True)
