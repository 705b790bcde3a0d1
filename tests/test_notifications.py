"""Notifications: a record assigned to someone else tells them (not when one assigns oneself),
a mention in a note tells the person named if they may read the record (and nobody else),
each user chooses in the app and/or by email per kind, and the bell counts what is unread."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.testing.web import sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts")


def _inbox(user) -> list[tuple[str, str, str | None, int | None]]:
    db.session.rollback()  # see what the server committed
    return [(n.kind, n.title, n.related_model, n.related_id)
            for n in Env.for_user(user).records.search("notifications", order=["-id"]).records]


@pytest.fixture
def team(app, make_user):
    return {"ann": make_user("ann", name="Ann Able", roles=["contacts.user"]),
            "bob": make_user("bob", name="Bob Baker", roles=["contacts.user"]),
            "olga": make_user("olga", name="Olga Own", roles=["contacts.own"])}


def test_an_assignment_tells_the_new_owner_but_not_who_assigns_themselves(team):
    ann, bob = team["ann"], team["bob"]
    as_ann = Env.for_user(ann).records
    contact = as_ann.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "owner_id": ann.id})
    db.session.commit()
    assert _inbox(ann) == [], "assigning oneself tells nobody"
    as_ann.update("contacts", contact.id, {"owner_id": bob.id})
    db.session.commit()
    assert _inbox(bob) == [("assignment", "Ann Able assigned Ada Lovelace to you", "contacts", contact.id)]
    assert _inbox(ann) == [], "nor is the one who acts told"


def test_only_fields_that_give_a_record_to_someone_are_assignments(team):
    ann, bob = team["ann"], team["bob"]
    meta = Env.system().records.meta
    assert meta("contacts").fields["owner_id"].assignee, "by its name"
    assert not meta("interactions").fields["user_id"].assignee, "declared: who logged it, not whom it is for"
    contact = Env.for_user(ann).records.create("contacts", {"last_name": "Lovelace"})
    Env.for_user(ann).records.create("interactions", {
        "channel": "phone", "subject": "Call", "contact_id": contact.id, "user_id": bob.id,
        "occurred_at": "2026-01-05T10:00:00+00:00"})
    db.session.commit()
    assert _inbox(bob) == []


def test_a_mention_tells_the_person_named_who_may_read_the_record(team):
    ann, bob, olga = team["ann"], team["bob"], team["olga"]
    contact = Env.for_user(ann).records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    note = Env.for_user(ann).records.create("interactions", {
        "channel": "note", "subject": "Budget", "contact_id": contact.id, "occurred_at": "2026-01-05T10:00:00+00:00",
        "body": "@Bob Baker can you call her? Also @olga and ada@example.com, @nobody."})
    db.session.commit()
    assert _inbox(bob) == [("mention", "Ann Able mentioned you on Budget", "interactions", note.id)]
    assert _inbox(olga) == [], "Olga may not read this contact: she is not told of it"
    assert _inbox(ann) == []


def test_preferences_choose_the_app_the_email_or_nothing(app, team, smtp_server):
    smtp_server.configure(app)
    ann, bob = team["ann"], team["bob"]
    as_bob = Env.for_user(bob).records
    as_bob.create("notification_preferences", {"user_id": bob.id, "kind": "assignment", "in_app": False, "email": True})
    db.session.commit()
    contact = Env.for_user(ann).records.create("contacts", {"last_name": "Lovelace", "owner_id": bob.id})
    db.session.commit()
    assert _inbox(bob) == []
    Worker(app).run_once()
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["bob@example.com"] and mail.message["Subject"] == "Ann Able assigned Lovelace to you"
    assert f"/m/contacts/{contact.id}" in mail.message.get_body(preferencelist=("plain",)).get_content()
    db.session.rollback()  # a new transaction: the worker wrote since this one began
    prefs = as_bob.search("notification_preferences").records
    as_bob.update("notification_preferences", prefs[0].id, {"email": False})
    db.session.commit()
    Env.for_user(ann).records.update("contacts", contact.id, {"owner_id": ann.id})
    Env.for_user(ann).records.update("contacts", contact.id, {"owner_id": bob.id})
    db.session.commit()
    Worker(app).run_once()
    assert len(smtp_server.messages) == 1 and _inbox(bob) == [], "neither channel: nothing"


def test_users_see_and_mark_only_their_own(team, api_as):
    ann, bob = team["ann"], team["bob"]
    Env.for_user(ann).records.create("contacts", {"last_name": "Lovelace", "owner_id": bob.id})
    db.session.commit()
    [mine] = api_as(bob).get("/api/v1/notifications").json["data"]
    assert api_as(ann).get("/api/v1/notifications").json["data"] == []
    assert api_as(ann).get(f"/api/v1/notifications/{mine['id']}").status_code == 404
    refused = api_as(bob).post("/api/v1/notifications", json={"user_id": ann.id, "kind": "mention", "title": "Fake"})
    assert refused.status_code in (403, 422), "nobody writes notifications for others"


def test_typing_at_offers_active_colleagues_with_what_names_them(team, make_user, client):
    make_user("bob2", name="Bob Baker", roles=["contacts.user"])  # a namesake: only the login names him alone
    make_user("gone", name="Bob Gone", roles=["contacts.user"], active=False)
    sign_in(client, "ann")
    offered = client.get("/notifications/people?q=bob").get_data(as_text=True)
    assert offered == '<option value="bob">Bob Baker</option><option value="bob2">Bob Baker</option>'
    assert client.get("/notifications/people?q=olg").get_data(as_text=True) == \
        '<option value="Olga Own">Olga Own</option>'


@pytest.mark.browser
def test_a_mention_in_a_note_reaches_the_colleagues_bell_and_inbox(app, live_server, browser, team):
    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    db.session.commit()
    ann_page = browser.new_page()
    sign_in_browser(ann_page, live_server, "ann")
    ann_page.goto(f"{live_server}/m/contacts/{contact.id}")
    log = ann_page.locator("form.logbox")
    log.locator("input[name=subject]").fill("Budget approved")
    body = log.locator("textarea[name=body]")
    body.press_sequentially("@bak")  # the colleagues matching are offered; choosing one writes their name
    log.locator(".mention-list").get_by_role("button", name="Bob Baker").click()
    body.press_sequentially("please send the contract today.")
    expect(body).to_have_value("@Bob Baker please send the contract today.")
    log.get_by_role("button", name="Log").click()
    expect(ann_page.locator(".flash.success")).to_be_visible()
    ann_page.close()

    bob_page = browser.new_page()
    sign_in_browser(bob_page, live_server, "bob")
    bell = bob_page.locator("a.bell")
    expect(bell).to_have_attribute("aria-label", "Notifications: 1 unread")
    expect(bell.locator(".badge")).to_have_text("1")
    bell.click()
    item = bob_page.locator(".inbox li.unread")
    expect(item).to_contain_text("Ann Able mentioned you on Budget approved")
    item.get_by_role("button").click()
    expect(bob_page).to_have_url(f"{live_server}/m/interactions/" + bob_page.url.rsplit("/", 1)[-1])
    expect(bob_page.locator("a.bell .badge")).to_have_count(0)
    bob_page.close()


def test_a_note_is_told_as_written_never_run_as_a_template(app, team, smtp_server):
    smtp_server.configure(app)
    ann, bob = team["ann"], team["bob"]
    contact = Env.for_user(ann).records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    body = "@Bob Baker the quote says {{ 7 * 7 }} for {{ first_name }}, {% if x %}"
    note = Env.for_user(ann).records.create("interactions", {
        "channel": "note", "subject": "Quote {{ total }}", "contact_id": contact.id,
        "occurred_at": "2026-01-05T10:00:00+00:00", "body": body})
    db.session.commit()
    assert _inbox(bob) == [("mention", "Ann Able mentioned you on Quote {{ total }}", "interactions", note.id)]
    Worker(app).run_once()
    [mail] = smtp_server.messages
    assert mail.message["Subject"] == "Ann Able mentioned you on Quote {{ total }}"
    assert body in mail.message.get_body(preferencelist=("plain",)).get_content()


def test_editing_a_note_tells_only_the_people_it_newly_mentions(team, make_user):
    ann, bob = team["ann"], team["bob"]
    cid = make_user("cid", name="Cid Clerk", roles=["contacts.user"])
    as_ann = Env.for_user(ann).records
    contact = as_ann.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    note = as_ann.create("interactions", {"channel": "note", "subject": "Budget", "contact_id": contact.id,
                                          "occurred_at": "2026-01-05T10:00:00+00:00", "body": "@bob call her"})
    db.session.commit()
    as_ann.update("interactions", note.id, {"body": "@bob call her today, please"})
    as_ann.update("interactions", note.id, {"body": "@bob call her today, please; @cid send the contract"})
    db.session.commit()
    assert len(_inbox(bob)) == 1, "an edit that keeps a mention does not tell again"
    assert [kind for kind, *_ in _inbox(cid)] == ["mention"]


def test_the_api_marks_ones_own_notifications_read_one_or_all(team, api_as):
    ann, bob = team["ann"], team["bob"]
    for name in ("Lovelace", "Hopper", "Turing"):
        Env.for_user(ann).records.create("contacts", {"last_name": name, "owner_id": bob.id})
    db.session.commit()
    first, *_ = api_as(bob).get("/api/v1/notifications").json["data"]
    assert api_as(ann).post(f"/api/v1/notifications/{first['id']}/read").status_code == 404, "not hers"
    assert api_as(ann).post("/api/v1/notifications/read-all").json == {"marked": 0}
    answer = api_as(bob).post(f"/api/v1/notifications/{first['id']}/read")
    assert answer.status_code == 200 and answer.json["read_at"] is not None
    assert api_as(bob).post("/api/v1/notifications/read-all").json == {"marked": 2}
    unread = api_as(bob).get('/api/v1/notifications?filter=[["read_at", "is null", null]]').json["data"]
    assert unread == []
