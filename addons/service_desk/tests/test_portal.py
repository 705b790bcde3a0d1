"""The customer portal for three customers: one of an account, that account's portal
admin, and a customer of another account. Internal notes never reach any of them."""
from __future__ import annotations

import io
import re

import pytest

from core.db import db
from core.env import Env

from core.testing.web import TEST_PASSWORD, csrf_token, sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("service_desk")

NOTE = "Internal: this customer is on a legacy plan"


@pytest.fixture
def world(desk):
    """Acme with Carla (customer) and Adam (its portal admin) and Dave (no login); Globex with Olga."""
    acme, globex = desk.create("accounts", name="Acme"), desk.create("accounts", name="Globex")
    carla = desk.customer("carla", account=acme)
    adam = desk.customer("adam", account=acme, admin=True)
    olga = desk.customer("olga", account=globex)
    dave = desk.create("contacts", first_name="Dave", last_name="Nologin", account_id=acme.id)
    agent = desk.agent("agnes", name="Agnes Agent")
    tickets = {
        "carla": desk.ticket(subject="Carla's printer", contact_id=carla.contact_id),
        "dave": desk.ticket(subject="Dave's laptop", contact_id=dave.id),
        "olga": desk.ticket(subject="Olga's invoice", contact_id=olga.contact_id),
    }
    agent_records = Env.for_user(agent).records
    agent_records.create("ticket_messages", {"ticket_id": tickets["carla"].id, "body": "Please restart it."})
    note = agent_records.create("ticket_messages", {"ticket_id": tickets["carla"].id, "body": NOTE, "internal": True})
    from addons.service_desk.attachments import attach

    secret = attach(Env.for_user(agent), tickets["carla"].id, "notes.txt", b"secret notes", "text/plain", note.id)
    db.session.commit()
    return {"users": {"carla": carla, "adam": adam, "olga": olga}, "tickets": tickets, "secret": secret}


VISIBLE = {"carla": {"Carla's printer"}, "adam": {"Carla's printer", "Dave's laptop"}, "olga": {"Olga's invoice"}}


@pytest.mark.parametrize("login", ["carla", "adam", "olga"])
def test_each_customer_sees_exactly_their_tickets_and_no_internal_note(app, world, api_as, login):
    api = api_as(world["users"][login])
    listed = {t["subject"] for t in api.get("/api/v1/tickets").get_json()["data"]}
    assert listed == VISIBLE[login]
    for name, ticket in world["tickets"].items():
        expected = 200 if ticket.subject in VISIBLE[login] else 404
        assert api.get(f"/api/v1/tickets/{ticket.id}").status_code == expected
    messages = api.get("/api/v1/ticket_messages").get_json()["data"]
    assert NOTE not in str(messages)
    assert [m["body"] for m in messages] == (["Please restart it."] if "Carla's printer" in VISIBLE[login] else [])
    assert api.get(f"/api/v1/ticket_attachments/{world['secret'].id}").status_code == 404
    # Both messages are on Carla's timeline; she reads the reply there, nobody the note.
    timeline = api.get("/api/v1/interactions").get_json()["data"]
    assert [i["body"] for i in timeline] == (["Please restart it."] if login == "carla" else [])
    client = app.test_client()
    sign_in(client, login)
    home = client.get("/portal/").get_data(as_text=True)
    assert set(re.findall(r'<a href="/portal/tickets/\d+">([^<]+)</a>', home)) == \
        {s.replace("'", "&#39;") for s in VISIBLE[login]}
    carla_ticket = client.get(f"/portal/tickets/{world['tickets']['carla'].id}")
    assert carla_ticket.status_code == (200 if "Carla's printer" in VISIBLE[login] else 404)
    assert NOTE not in carla_ticket.get_data(as_text=True)
    assert client.get(f"/service-desk/attachments/{world['secret'].id}").status_code == 404


def test_a_customer_opens_a_ticket_with_a_file_replies_and_rates(app, world, desk):
    client = app.test_client()
    token = sign_in(client, "carla")
    form = client.get("/portal/tickets/new").get_data(as_text=True)
    assert 'hx-get="/portal/suggest"' in form
    created = client.post("/portal/tickets/new", data={
        "csrf_token": token, "subject": "Scanner jammed", "body": "Paper stuck inside.",
        "files": (io.BytesIO(b"jpeg bytes"), "jam.jpg", "image/jpeg")}, content_type="multipart/form-data")
    assert created.status_code == 303
    ticket_id = int(created.location.rsplit("/", 1)[1])
    ticket = desk.fresh("tickets", ticket_id)
    carla = world["users"]["carla"]
    assert (ticket.subject, ticket.contact_id, ticket.channel, ticket.created_by) == \
        ("Scanner jammed", carla.contact_id, "portal", carla.id)
    [message] = desk.records.search("ticket_messages", [["ticket_id", "=", ticket_id]]).records
    assert (message.direction, message.body, message.author_contact_id, message.internal) == \
        ("inbound", "Paper stuck inside.", carla.contact_id, False)
    [file] = desk.records.search("ticket_attachments", [["ticket_id", "=", ticket_id]]).records
    assert client.get(f"/service-desk/attachments/{file.id}").data == b"jpeg bytes"

    client.post(f"/portal/tickets/{ticket_id}/reply", data={"csrf_token": token, "body": "Still stuck."})
    assert [m.body for m in desk.records.search("ticket_messages", [["ticket_id", "=", ticket_id]],
                                                order=["id"]).records] == ["Paper stuck inside.", "Still stuck."]
    early = client.post(f"/portal/tickets/{ticket_id}/rate", data={"csrf_token": token, "rating": "5"},
                        follow_redirects=True)
    assert "The resolution can be rated once the ticket is solved." in early.get_data(as_text=True)
    Env.system().records.update("tickets", ticket_id, {"status": "solved"})
    db.session.commit()
    page = client.get(f"/portal/tickets/{ticket_id}").get_data(as_text=True)
    assert "How did we do?" in page
    client.post(f"/portal/tickets/{ticket_id}/rate", data={"csrf_token": token, "rating": "4", "comment": "Quick!"})
    rated = desk.fresh("tickets", ticket_id)
    assert (rated.csat_rating, rated.csat_comment, rated.csat_at is not None) == (4, "Quick!", True)


def test_customers_cannot_write_what_agents_decide(app, world, api_as, desk):
    carla = api_as(world["users"]["carla"])
    ticket = world["tickets"]["carla"]
    patch = carla.patch(f"/api/v1/tickets/{ticket.id}", json={"priority": "urgent", "version": 1})
    assert patch.status_code == 403
    note = carla.post("/api/v1/ticket_messages", json={"ticket_id": ticket.id, "body": "x", "internal": True})
    assert note.status_code == 403
    reply = carla.post(f"/api/v1/tickets/{ticket.id}/reply", json={"body": "Thanks!", "internal": True})
    assert (reply.status_code, reply.get_json()["internal"], reply.get_json()["direction"]) == (200, False, "inbound")
    other = carla.post(f"/api/v1/tickets/{world['tickets']['olga'].id}/reply", json={"body": "Hi Olga"})
    assert other.status_code == 404
    agent = api_as(desk.agent("ann"))
    Env.system().records.update("tickets", ticket.id, {"status": "solved"})
    db.session.commit()
    assert agent.post(f"/api/v1/tickets/{ticket.id}/rate", json={"rating": 5}).status_code == 403
    assert carla.post(f"/api/v1/tickets/{ticket.id}/rate", json={"rating": 9}).get_json()["errors"] == \
        {"csat_rating": ["Give a rating from 1 (very unhappy) to 5 (very happy)."]}
    assert carla.post(f"/api/v1/tickets/{ticket.id}/rate", json={"rating": 2}).get_json() == \
        {"csat_rating": 2, "csat_comment": None}


def test_agents_are_turned_away_from_the_portal(app, desk):
    desk.agent("agnes")
    client = app.test_client()
    sign_in(client, "agnes")
    response = client.get("/portal/")
    assert response.status_code == 403
    assert "only customers linked to a contact use the portal" in response.get_data(as_text=True)


def test_customers_are_sent_from_the_back_office_to_the_portal(app, world, desk):
    carla_ticket = world["tickets"]["carla"].id
    back_office = ["/", f"/m/tickets/{carla_ticket}", "/m/tickets", "/m/interactions", "/m/tickets/export.csv",
                   "/m/tickets/kanban", f"/m/tickets/{carla_ticket}/edit", "/dashboards/service_desk",
                   "/admin/addons", "/admin/audit"]
    client = app.test_client()
    token = sign_in(client, "carla")
    assert [(path, client.get(path).headers.get("Location")) for path in back_office] == \
        [(path, "/portal/") for path in back_office]
    posted = client.post(f"/m/tickets/{carla_ticket}/edit", data={"csrf_token": token, "subject": "Mine now"})
    assert (posted.status_code, posted.headers["Location"]) == (303, "/portal/")
    assert desk.fresh("tickets", carla_ticket).subject == "Carla's printer"
    # Signing in without a destination ends in the portal; the account page stays open.
    fresh = app.test_client()
    page = fresh.get("/login").get_data(as_text=True)
    landed = fresh.post("/login", data={"login": "carla", "password": TEST_PASSWORD, "csrf_token": csrf_token(page)},
                        follow_redirects=True)
    assert (landed.request.path, landed.status_code) == ("/portal/", 200)
    assert fresh.get("/password").status_code == 200
    # No addon gives partners a portal here: the back office refuses them.
    desk.make_user("pia", roles=["base.partner"], kind="partner")
    partner = app.test_client()
    sign_in(partner, "pia")
    assert [partner.get(path).status_code for path in back_office] == [403] * len(back_office)
    # Staff keep the back office.
    agent = app.test_client()
    sign_in(agent, "agnes")
    assert agent.get(f"/m/tickets/{carla_ticket}").status_code == 200


UI_NOTE = "Internal: Olga's account is under review"
UI_REPLY = "We have sent you the corrected invoice."


def test_three_customers_in_a_real_browser_see_their_tickets_and_replies_never_notes(world, live_server, browser,
                                                                                     page, desk):
    desk.create("kb_articles", title="Printer offline", body="Restart the printer.", state="published")
    desk.create("kb_articles", title="Printer internals", body="Agents only.", state="internal")
    olga_ticket = world["tickets"]["olga"].id
    # The agent writes a note and a public reply on Olga's ticket in the back office.
    sign_in_browser(page, live_server, "agnes", landing=f"/m/tickets/{olga_ticket}")
    page.fill(f"#reply-body-{olga_ticket}", UI_NOTE)
    page.check("form.reply input[name=internal]")
    page.click("form.reply button[type=submit]")
    page.wait_for_selector("text=Note added.")
    page.fill(f"#reply-body-{olga_ticket}", UI_REPLY)
    page.click("form.reply button[type=submit]")
    page.wait_for_selector("text=Reply sent.")
    assert UI_NOTE in page.content() and UI_REPLY in page.content()

    public = {"Carla's printer": "Please restart it.", "Dave's laptop": None, "Olga's invoice": UI_REPLY}
    for login in ("carla", "adam", "olga"):
        context = browser.new_context()
        customer = context.new_page()
        customer.set_default_timeout(10_000)
        sign_in_browser(customer, live_server, login, landing="/portal/")
        subjects = set(customer.locator("#tickets tbody tr td:nth-child(2) a").all_inner_texts())
        assert subjects == VISIBLE[login]
        for subject in sorted(VISIBLE[login]):
            customer.click(f"text={subject}")
            customer.wait_for_selector("#conversation", state="attached")
            replies = customer.locator("#conversation li.outbound .body").all_inner_texts()
            assert replies == ([public[subject]] if public[subject] else [])
            html = customer.content()
            assert NOTE not in html and UI_NOTE.replace("'", "&#39;") not in html and "Olga's account" not in html
            assert "notes.txt" not in html
            customer.goto(f"{live_server}/portal/")
        customer.goto(f"{live_server}/portal/tickets/{olga_ticket}")
        assert (UI_REPLY in customer.content()) == (login == "olga")
        customer.goto(f"{live_server}/portal/tickets/new")
        customer.fill("#subject", "printer")
        customer.wait_for_selector("#suggestions a")
        assert customer.locator("#suggestions a").all_inner_texts() == ["Printer offline"]
        context.close()


def test_a_customer_opens_a_ticket_with_a_file_through_the_api(world, api_as, desk):
    import base64

    carla = world["users"]["carla"]
    api = api_as(carla)
    response = api.post("/api/v1/_service_desk/portal/tickets", json={
        "subject": "Scanner jammed", "body": "Paper stuck inside.", "priority": "urgent", "assignee_id": 1,
        "attachments": [{"filename": "jam.jpg", "content_base64": base64.b64encode(b"jpeg").decode(),
                         "content_type": "image/jpeg"}]})
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    # What a customer may not decide is not theirs to give, whatever they send.
    assert (ticket["subject"], ticket["contact_id"], ticket["channel"], ticket["priority"], ticket["assignee_id"]) == \
        ("Scanner jammed", carla.contact_id, "portal", "normal", None)
    assert [m["body"] for m in api.get(f"/api/v1/ticket_messages?filter=[[\"ticket_id\",\"=\",{ticket['id']}]]")
            .get_json()["data"]] == ["Paper stuck inside."]
    [file] = api.get(f"/api/v1/ticket_attachments?filter=[[\"ticket_id\",\"=\",{ticket['id']}]]").get_json()["data"]
    assert (file["filename"], file["size"]) == ("jam.jpg", 4)
    empty = api.post("/api/v1/_service_desk/portal/tickets", json={"subject": " ", "body": ""})
    assert empty.status_code == 422
    assert empty.get_json()["errors"] == {"subject": ["Write a subject."], "body": ["Write what happened."]}
    agent = api_as(desk.agent("alex")).post("/api/v1/_service_desk/portal/tickets", json={"subject": "x", "body": "y"})
    assert agent.status_code == 403
