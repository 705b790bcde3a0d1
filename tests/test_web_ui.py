"""The generic web UI through HTTP: sign-in, CSRF, throttling, navigation by permission,
lists, forms, detail pages, bulk actions, export and admin pages."""
from __future__ import annotations

import csv
import io
import re

import pytest

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in


@pytest.fixture
def sample(app):
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme", "industry": "retail", "city": "Lyon"})
    for index, (first, last, city) in enumerate([("Ann", "Zeta", "Paris"), ("Bob", "Alpha", "Lyon"),
                                                 ("Cid", "Mid", "Paris")]):
        records.create("contacts", {"first_name": first, "last_name": last, "city": city,
                                    "email": f"c{index}@example.com", "account_id": acme.id})
    db.session.commit()
    return acme


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/m/contacts")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=/m/contacts")


def test_wrong_password_is_refused_and_session_cookie_is_httponly(client, make_user):
    make_user("ann", roles=["contacts.user"])
    page = client.get("/login").get_data(as_text=True)
    wrong = client.post("/login", data={"login": "ann", "password": "nope", "csrf_token": csrf_token(page)})
    assert wrong.status_code == 401
    assert "Wrong login or password." in wrong.get_data(as_text=True)
    ok = client.post("/login", data={"login": "ann", "password": "correct horse battery", "csrf_token": csrf_token(page)})
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_without_csrf_token_are_refused(client, make_user):
    make_user("ann", roles=["contacts.user"])
    response = client.post("/login", data={"login": "ann", "password": "correct horse battery"})
    assert response.status_code == 400
    sign_in(client, "ann")
    forged = client.post("/m/contacts/new", data={"last_name": "Forged"})
    assert forged.status_code == 400
    assert Env.system().records.count("contacts", [["last_name", "=", "Forged"]]).value == 0


def test_session_api_writes_need_the_csrf_header(client, make_user):
    make_user("ann", roles=["contacts.user"])
    token = sign_in(client, "ann")
    assert client.post("/api/v1/contacts", json={"last_name": "NoHeader"}).status_code == 403
    created = client.post("/api/v1/contacts", json={"last_name": "WithHeader"}, headers={"X-CSRFToken": token})
    assert created.status_code == 201


def test_sign_in_is_throttled_after_repeated_failures(app, client, make_user):
    make_user("ann", roles=["contacts.user"])
    app.extensions["spectrum"].settings["login_rate_limit"] = "3 per minute"
    page = client.get("/login").get_data(as_text=True)
    statuses = [client.post("/login", data={"login": "ann", "password": "bad", "csrf_token": csrf_token(page)}).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_navigation_shows_only_what_the_user_may_read(client, make_user):
    make_user("nobody", roles=["base.user"])
    sign_in(client, "nobody")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/m/contacts"' not in html and "Customers" not in html
    assert client.get("/m/contacts").status_code == 403


def test_list_searches_filters_sorts_and_groups(client, admin, sample):
    sign_in(client, "admin")
    paris = client.get("/m/contacts?bf=city&bo=%3D&bv=Paris&sort=-last_name").get_data(as_text=True)
    assert paris.index("Zeta") < paris.index("Mid") and "Alpha" not in paris
    assert "2 contacts" in paris
    searched = client.get("/m/contacts?q=alph").get_data(as_text=True)
    assert "Alpha" in searched and "Zeta" not in searched
    grouped = client.get("/m/contacts?group=city").get_data(as_text=True)
    assert re.search(r"Paris</a></td>\s*<td class=\"num\">2</td>", grouped)
    bad = client.get('/m/contacts?filter=[["nope","=",1]]')
    assert bad.status_code == 400 and "has no field" in bad.get_data(as_text=True)


def test_list_pages_with_a_cursor(app, client, admin):
    records = Env.system().records
    for index in range(60):
        records.create("contacts", {"last_name": f"P{index:03d}"})
    db.session.commit()
    sign_in(client, "admin")
    first = client.get("/m/contacts?sort=last_name").get_data(as_text=True)
    assert "P000" in first and "P049" in first and "P050" not in first
    next_url = re.search(r'href="(/m/contacts\?[^"]*cursor=[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert "P050" in second and "P059" in second and "P049" not in second


def test_form_shows_errors_beside_fields_and_keeps_input(client, admin):
    token = sign_in(client, "admin")
    response = client.post("/m/contacts/new", data={"csrf_token": token, "first_name": "Kept", "last_name": "",
                                                     "email": "not-an-email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="f-email-error"[^>]*>Not a valid email address', html)
    assert re.search(r'id="f-last_name-error"[^>]*>This field is required', html)
    assert 'value="Kept"' in html
    created = client.post("/m/contacts/new", data={"csrf_token": token, "last_name": "Valid", "email": "v@x.org"})
    assert created.status_code == 303 and re.match(r"/m/contacts/\d+$", created.location)


def test_stale_version_in_the_form_is_a_conflict_with_a_reload_link(client, admin, sample):
    token = sign_in(client, "admin")
    contact = Env.system().records.search("contacts", [["last_name", "=", "Zeta"]]).records[0]
    Env.system().records.update("contacts", contact.id, {"title": "Changed elsewhere"})
    db.session.commit()
    response = client.post(f"/m/contacts/{contact.id}/edit",
                           data={"csrf_token": token, "version": "1", "last_name": "Zeta", "title": "Mine"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed by someone else" in html and f"/m/contacts/{contact.id}/edit" in html
    assert Env.system().records.get("contacts", contact.id).title == "Changed elsewhere"


def test_detail_shows_fields_related_lists_timeline_and_history(client, admin, sample):
    token = sign_in(client, "admin")
    contact = Env.system().records.search("contacts", [["last_name", "=", "Zeta"]]).records[0]
    logged = client.post("/contacts/log", data={"csrf_token": token, "channel": "phone", "direction": "outbound",
                                                "subject": "Called about renewal", "contact_id": contact.id,
                                                "back": f"/m/contacts/{contact.id}"})
    assert logged.status_code == 303
    Env.system().records.update("contacts", contact.id, {"title": "Buyer"})
    db.session.commit()
    html = client.get(f"/m/contacts/{contact.id}").get_data(as_text=True)
    assert "Called about renewal" in html
    assert re.search(r"<b>Job title</b>: — → Buyer", html)
    account_html = client.get(f"/m/accounts/{sample.id}").get_data(as_text=True)
    assert "Called about renewal" in account_html, "the account timeline includes its contacts' interactions"
    assert "Zeta" in account_html and "Contacts" in account_html


def test_a_touch_concerning_a_contact_is_filed_on_it_and_its_account(client, admin, sample):
    """An integration may name the customer only as the record concerned: the touch is filed
    on the contact (and its account), so both timelines show it."""
    contact = Env.system().records.search("contacts", [["last_name", "=", "Mid"]]).records[0]
    touch = Env.system().records.create("interactions", {"channel": "chat", "subject": "Asked about delivery",
                                                         "occurred_at": "2026-01-05T08:00:00+00:00",
                                                         "related_model": "contacts", "related_id": contact.id})
    db.session.commit()
    assert (touch.contact_id, touch.account_id) == (contact.id, sample.id)
    sign_in(client, "admin")
    assert "Asked about delivery" in client.get(f"/m/contacts/{contact.id}").get_data(as_text=True)
    assert "Asked about delivery" in client.get(f"/m/accounts/{sample.id}").get_data(as_text=True)


def test_bulk_set_field_and_delete(client, admin, sample):
    token = sign_in(client, "admin")
    ids = [c.id for c in Env.system().records.search("contacts", [["city", "=", "Paris"]]).records]
    response = client.post("/m/contacts/bulk", data={"csrf_token": token, "action": "set", "field": "title",
                                                      "value": "Lead buyer", "ids": ids})
    assert response.status_code == 303
    assert Env.system().records.count("contacts", [["title", "=", "Lead buyer"]]).value == 2
    client.post("/m/contacts/bulk", data={"csrf_token": token, "action": "delete", "ids": ids})
    assert Env.system().records.count("contacts").value == 1


def test_csv_export_of_the_filtered_list(client, admin, sample):
    sign_in(client, "admin")
    response = client.get("/m/contacts/export.csv?bf=city&bo=%3D&bv=Paris&sort=last_name")
    lines = response.get_data(as_text=True).strip().splitlines()
    assert response.mimetype == "text/csv"
    assert lines[0].startswith("id,last_name,first_name,email")
    assert [line.split(",")[1] for line in lines[1:]] == ["Mid", "Zeta"]


def test_the_web_export_quotes_what_a_spreadsheet_would_run(client, admin, sample):
    Env.system().records.create("contacts", {"last_name": "=1+2", "first_name": "@cmd", "city": "Paris"})
    db.session.commit()
    sign_in(client, "admin")
    text = client.get("/m/contacts/export.csv?bf=city&bo=%3D&bv=Paris&sort=last_name").get_data(as_text=True)
    rows = {row["last_name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert "'=1+2" in rows and rows["'=1+2"]["first_name"] == "'@cmd"


def test_restricted_user_sees_only_own_rows_and_no_delete_button(client, make_user):
    alice = make_user("alice", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    records = Env.system().records
    records.create("contacts", {"last_name": "AliceOwns", "owner_id": alice.id})
    other = records.create("contacts", {"last_name": "BobOwns", "owner_id": bob.id})
    db.session.commit()
    sign_in(client, "alice")
    html = client.get("/m/contacts").get_data(as_text=True)
    assert "AliceOwns" in html and "BobOwns" not in html
    assert '<option value="delete">' not in html
    assert client.get(f"/m/contacts/{other.id}").status_code == 404


def test_admin_pages(client, admin, make_user):
    make_user("clerk", roles=["contacts.user"])
    sign_in(client, "admin")
    home = client.get("/").get_data(as_text=True)
    for url in ("/m/users", "/m/roles", "/m/model_access", "/m/record_rules", "/admin/addons", "/admin/audit"):
        assert f'href="{url}"' in home, f"admins reach {url} from the menu"
        assert client.get(url).status_code == 200
    addons = client.get("/admin/addons").get_data(as_text=True)
    assert "contacts" in addons and "Uninstall" in addons
    plan = client.get("/admin/addons/contacts/uninstall").get_data(as_text=True)
    assert "contacts" in plan and "tables dropped" in plan
    audit = client.get("/admin/audit?model=users&action=create").get_data(as_text=True)
    assert "users" in audit and "create" in audit
    client.post("/logout", data={"csrf_token": csrf_token(audit)})
    sign_in(client, "clerk")
    assert client.get("/admin/addons").status_code == 403
    assert 'href="/admin/addons"' not in client.get("/").get_data(as_text=True)


def test_password_change_signs_out_other_sessions(app, make_user):
    make_user("ann", roles=["contacts.user"])
    first, second = app.test_client(), app.test_client()
    token = sign_in(first, "ann")
    sign_in(second, "ann")
    changed = first.post("/password", data={"csrf_token": token, "current": "correct horse battery",
                                            "new": "a new long password", "confirm": "a new long password"})
    assert "Password changed." in changed.get_data(as_text=True)
    assert first.get("/m/contacts").status_code == 200
    assert second.get("/m/contacts").status_code == 302


def test_every_save_create_and_delete_says_what_happened(client, make_user):
    make_user("ann", roles=["base.admin", "base.user"])
    token = sign_in(client, "ann")
    created = client.post("/m/accounts/new", data={"csrf_token": token, "name": "Flash Corp"}, follow_redirects=True)
    assert "Account Flash Corp created." in created.get_data(as_text=True)
    account = Env.system().records.search("accounts", [["name", "=", "Flash Corp"]]).records[0]
    unchanged = client.post(f"/m/accounts/{account.id}/edit", follow_redirects=True,
                            data={"csrf_token": token, "version": 1, "name": "Flash Corp"})
    assert "Nothing to save: no field was changed." in unchanged.get_data(as_text=True)
    saved = client.post(f"/m/accounts/{account.id}/edit", follow_redirects=True,
                        data={"csrf_token": token, "version": 1, "name": "Flash Corporation"})
    assert "Saved Flash Corporation." in saved.get_data(as_text=True)
    db.session.expire_all()
    deleted = client.post(f"/m/accounts/{account.id}/delete", follow_redirects=True,
                          data={"csrf_token": token, "version": account.version})
    assert "Account deleted." in deleted.get_data(as_text=True)
