"""Canned responses with sandboxed placeholders, macros in one action, and the agent's
ticket page (reply with a file, internal note, macro, canned response, suggestions)."""
from __future__ import annotations

import io

import pytest

from core.db import db

from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("service_desk")


@pytest.fixture
def ticket(desk):
    account = desk.create("accounts", name="Analytical Engines")
    contact = desk.create("contacts", first_name="Ada", last_name="Lovelace", email="ada@analytical.test",
                          account_id=account.id)
    return desk.ticket(subject="Printer on fire", contact_id=contact.id)


def test_a_canned_response_fills_its_placeholders_for_the_ticket(desk, api_as, ticket):
    canned = desk.create("canned_responses", name="Hello", body=(
        "Hello {{ contact.first_name }} of {{ account.name }},\nabout {{ ticket.number }} ({{ ticket.status }})."
        "\n{{ agent.name }}{{ contact.birth_date }}"))
    api = api_as(desk.agent("agnes", name="Agnes Agent"))
    response = api.post(f"/api/v1/tickets/{ticket.id}/render_canned", json={"canned_response_id": canned.id})
    assert response.get_json() == {"body": f"Hello Ada of Analytical Engines,\nabout {ticket.number} (New).\n"
                                           "Agnes Agent"}


def test_placeholders_cannot_escape_the_sandbox_and_bad_templates_are_refused(desk, api_as, ticket):
    sneaky = desk.create("canned_responses", name="Sneaky", body="{{ ''.__class__.__mro__ }}")
    api = api_as(desk.agent("agnes"))
    response = api.post(f"/api/v1/tickets/{ticket.id}/render_canned", json={"canned_response_id": sneaky.id})
    assert response.status_code == 422
    assert response.get_json()["errors"]["body"][0].startswith("The template cannot be filled in: access to attribute")
    broken = api.post("/api/v1/canned_responses", json={"name": "Broken", "body": "Hello {{ contact.first_name"})
    assert broken.status_code == 422
    assert broken.get_json()["errors"] == {"body": ["Line 1: unexpected end of template, expected 'end of print "
                                                    "statement'."]}


@pytest.mark.parametrize("body", [
    "{{ ('x' * 50000000)|length }}",
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{{ contact.email.__class__.__mro__[1].__subclasses__() }}",
    "{{ ticket.items.__self__ }}",
    "{{ '{0.__class__}'.format(ticket) }}",
])
def test_canned_responses_render_in_the_kernel_sandbox_with_its_limits(desk, api_as, ticket, app, body):
    app.extensions["spectrum"].settings["template_max_milliseconds"] = 300
    bomb = desk.create("canned_responses", name="Bomb", body=body)
    api = api_as(desk.agent("agnes"))
    response = api.post(f"/api/v1/tickets/{ticket.id}/render_canned", json={"canned_response_id": bomb.id})
    assert response.status_code == 422
    assert response.get_json()["errors"]["body"][0].startswith("The template cannot be filled in")


def test_a_macro_replies_and_sets_fields_in_one_action(desk, api_as, ticket, smtp_server, app):
    smtp_server.configure(app)
    agent = desk.agent("agnes", name="Agnes Agent")
    team = desk.team("Tier 2", [desk.agent("tina")], assignment_method="least_open")
    canned = desk.create("canned_responses", name="Details", body="Hello {{ contact.first_name }}, which model?")
    macro = desk.create("helpdesk_macros", name="Ask and wait", canned_response_id=canned.id,
                        set_status="pending_customer", set_priority="high", assign="me", add_tags="waiting, Printer")
    api = api_as(agent)
    result = api.post(f"/api/v1/tickets/{ticket.id}/apply_macro", json={"macro_id": macro.id}).get_json()
    assert result["macro"] == "Ask and wait" and result["changed"] == ["assignee_id", "priority", "status", "tags"]
    changed = api.get(f"/api/v1/tickets/{ticket.id}").get_json()
    assert (changed["status"], changed["priority"], changed["assignee_id"], changed["tags"]) == \
        ("pending_customer", "high", agent.id, ["printer", "waiting"])
    [message] = desk.records.search("ticket_messages", [["ticket_id", "=", ticket.id]]).records
    assert (message.id, message.body, message.internal, message.author_user_id) == \
        (result["message_id"], "Hello Ada, which model?", False, agent.id)
    escalate = desk.create("helpdesk_macros", name="Escalate", set_team_id=team.id, assign="team")
    api.post(f"/api/v1/tickets/{ticket.id}/apply_macro", json={"macro_id": escalate.id})
    moved = api.get(f"/api/v1/tickets/{ticket.id}").get_json()
    assert (moved["team_id"], moved["assignee_id"]) == (team.id, desk.records.search(
        "users", [["login", "=", "tina"]]).records[0].id)
    inactive = desk.create("helpdesk_macros", name="Old", set_status="solved", active=False)
    refused = api.post(f"/api/v1/tickets/{ticket.id}/apply_macro", json={"macro_id": inactive.id})
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"macro_id": ["Macro 'Old' is not active."]}


def test_the_ticket_page_replies_with_a_file_notes_and_applies_a_macro(app, desk, ticket):
    agent = desk.agent("agnes", name="Agnes Agent")
    canned = desk.create("canned_responses", name="Thanks", body="Thanks {{ contact.first_name }}!")
    macro = desk.create("helpdesk_macros", name="Solve", set_status="solved")
    desk.create("kb_articles", title="Printer on fire: what to do", body="Unplug it.", state="published")
    client = app.test_client()
    token = sign_in(client, "agnes")
    page = client.get(f"/m/tickets/{ticket.id}?canned={canned.id}").get_data(as_text=True)
    assert ">Thanks Ada!</textarea>" in page
    assert "Printer on fire: what to do" in page  # suggested article
    assert f'<option value="{macro.id}">Solve</option>' in page
    sent = client.post(f"/service-desk/tickets/{ticket.id}/reply", data={
        "csrf_token": token, "body": "Here is the manual.", "status": "pending_customer",
        "files": (io.BytesIO(b"%PDF manual"), "manual.pdf", "application/pdf")}, content_type="multipart/form-data")
    assert (sent.status_code, sent.location) == (303, f"/m/tickets/{ticket.id}")
    noted = client.post(f"/service-desk/tickets/{ticket.id}/reply", data={
        "csrf_token": token, "body": "Customer sounded upset.", "internal": "1"})
    assert noted.status_code == 303
    page = client.get(f"/m/tickets/{ticket.id}").get_data(as_text=True)
    assert "Here is the manual." in page and "Customer sounded upset." in page and "internal note" in page
    [attachment] = desk.records.search("ticket_attachments", [["ticket_id", "=", ticket.id]]).records
    assert f'href="/service-desk/attachments/{attachment.id}">manual.pdf</a>' in page
    download = client.get(f"/service-desk/attachments/{attachment.id}")
    assert (download.data, download.headers["Content-Disposition"]) == (b"%PDF manual",
                                                                        "attachment; filename=manual.pdf")
    client.post(f"/service-desk/tickets/{ticket.id}/macro", data={"csrf_token": token, "macro_id": macro.id})
    db.session.expire_all()
    assert desk.records.get("tickets", ticket.id).status == "solved"
    empty = client.post(f"/service-desk/tickets/{ticket.id}/reply", data={"csrf_token": token, "body": " "},
                        follow_redirects=True)
    assert "Not done: some fields are not valid: body: Write a message." in empty.get_data(as_text=True)
