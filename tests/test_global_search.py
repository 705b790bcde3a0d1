"""The global search in the header: results grouped by model as one types, through the
records service (a record a rule hides is never found), recent records when the box is
empty, "/" and Ctrl+K to reach it, and a page that works without script."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)


@pytest.fixture
def planted(app, make_user):
    """A contact, an account and a deal named Zephyrine; a salesperson who owns none of them."""
    records = Env.system().records
    account = records.create("accounts", {"name": "Zephyrine Holdings"})
    contact = records.create("contacts", {"first_name": "Ada", "last_name": "Zephyrine", "account_id": account.id})
    make_user("sam", roles=["sales.salesperson"])
    db.session.commit()
    return account, contact


def test_results_are_grouped_by_model_and_follow_record_rules(client, admin, planted):
    account, contact = planted
    sign_in(client, "admin")
    html = client.get("/search?q=zephyr", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html, "htmx gets the results alone"
    assert f'href="/m/accounts/{account.id}"' in html and f'href="/m/contacts/{contact.id}"' in html
    assert html.index("<h3>") < html.index("Zephyrine")
    page = client.get("/search?q=zephyr").get_data(as_text=True)
    assert "<html" in page and f'href="/m/contacts/{contact.id}"' in page, "the page works without script"
    assert "Type at least two characters" in client.get("/search?q=z").get_data(as_text=True)



def test_a_salesperson_finds_only_the_leads_their_rules_show(app, make_user, planted):
    sam = Env.system().records.search("users", [["login", "=", "sam"]]).records[0]
    other = make_user("olga", roles=["sales.salesperson"])
    records = Env.system().records
    mine = records.create("leads", {"title": "Quillfeather renewal", "owner_id": sam.id})
    theirs = records.create("leads", {"title": "Quillfeather expansion", "owner_id": other.id})
    db.session.commit()
    client = app.test_client()
    sign_in(client, "sam")
    html = client.get("/search?q=quillfeather").get_data(as_text=True)
    assert f'href="/m/leads/{mine.id}"' in html
    assert f'href="/m/leads/{theirs.id}"' not in html and "expansion" not in html


@pytest.mark.browser
def test_typing_in_the_header_shows_results_and_recent_records_when_empty(live_server, page, admin, planted):
    account, contact = planted
    Env.for_user(admin).records.update("contacts", contact.id, {"city": "Lyon"})
    db.session.commit()
    db.session.rollback()
    sign_in_browser(page, live_server, "admin")
    page.keyboard.press("/")
    box = page.locator("#global-search")
    expect(box).to_be_focused()
    recent = page.locator("#global-search-results")
    expect(recent.get_by_role("link", name="Ada Zephyrine")).to_be_visible()  # changed last by admin
    box.fill("zephyr")
    results = page.locator("#global-search-results .search-group")
    expect(results.filter(has_text="Accounts").get_by_role("link", name="Zephyrine Holdings")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    results.filter(has_text="Contacts").get_by_role("link", name="Ada Zephyrine").click()
    page.wait_for_url(f"{live_server}/m/contacts/{contact.id}")
