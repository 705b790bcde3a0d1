"""Knowledge base: versions and restore, ranked search, suggestions for agents and
customers, and customers reading published articles only."""
from __future__ import annotations

import pytest

from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("service_desk")


@pytest.fixture
def articles(desk):
    category = desk.create("kb_categories", name="Hardware")
    return {
        "printer": desk.create("kb_articles", title="Printer offline", summary="Restart the printer",
                               body="Check the network cable of the printer.", state="published",
                               category_id=category.id, tags=["printer"]),
        "toner": desk.create("kb_articles", title="Replacing toner", summary="Printer toner cartridges",
                             body="Open the front cover.", state="published", category_id=category.id),
        "internal": desk.create("kb_articles", title="Printer firmware (agents)", body="Flash the printer firmware.",
                                state="internal"),
        "draft": desk.create("kb_articles", title="Printer recall", body="Not announced yet.", state="draft"),
    }


def test_every_change_of_text_is_a_revision_that_can_be_restored(desk, api_as, articles):
    api = api_as(desk.agent("agnes"))
    article = api.get(f"/api/v1/kb_articles/{articles['printer'].id}").get_json()
    assert (article["revision"], article["published_at"]) == (1, "2026-01-05T09:00:00+00:00")
    edited = api.patch(f"/api/v1/kb_articles/{article['id']}", json={"body": "Check the cable and the wifi.",
                                                                      "version": article["version"]}).get_json()
    assert edited["revision"] == 2
    same = api.patch(f"/api/v1/kb_articles/{article['id']}", json={"tags": ["printer", "network"],
                                                                    "version": edited["version"]}).get_json()
    assert same["revision"] == 2  # tags are not text: no new revision
    versions = api.get(f"/api/v1/kb_article_versions?filter=[[\"article_id\",\"=\",{article['id']}]]"
                       "&sort=revision").get_json()["data"]
    assert [(v["revision"], v["body"]) for v in versions] == [
        (1, "Check the network cable of the printer."), (2, "Check the cable and the wifi.")]
    restored = api.post(f"/api/v1/kb_articles/{article['id']}/restore_version", json={"revision": 1}).get_json()
    assert (restored["revision"], restored["body"]) == (3, "Check the network cable of the printer.")
    missing = api.post(f"/api/v1/kb_articles/{article['id']}/restore_version", json={"revision": 9})
    assert missing.status_code == 422


def test_search_ranks_title_words_first_and_agents_see_internal_articles(desk, api_as, articles):
    api = api_as(desk.agent("agnes"))
    found = api.get("/api/v1/_service_desk/kb/search?q=printer toner").get_json()["data"]
    # Scores: toner 3 (title) + 2 + 2 (summary) = 7; offline 3 + 2 + 1 = 6; firmware 3 + 1; recall 3.
    assert [a["title"] for a in found] == ["Replacing toner", "Printer offline", "Printer firmware (agents)",
                                           "Printer recall"]
    assert api.get("/api/v1/_service_desk/kb/search?q=the and of").get_json()["data"] == []


def test_customers_read_and_search_published_articles_only(desk, api_as, articles):
    customer = api_as(desk.customer("carla"))
    listed = customer.get("/api/v1/kb_articles?sort=title").get_json()["data"]
    assert [a["title"] for a in listed] == ["Printer offline", "Replacing toner"]
    found = customer.get("/api/v1/_service_desk/kb/search?q=printer firmware recall").get_json()["data"]
    assert [a["title"] for a in found] == ["Printer offline", "Replacing toner"]
    assert customer.get(f"/api/v1/kb_articles/{articles['internal'].id}").status_code == 404
    assert customer.post("/api/v1/kb_articles", json={"title": "Mine", "body": "x"}).status_code == 403


def test_suggestions_on_a_ticket_leave_drafts_out(desk, api_as, articles):
    ticket = desk.ticket(subject="My printer is offline again", description="The network seems fine.")
    api = api_as(desk.agent("agnes"))
    suggested = api.post(f"/api/v1/tickets/{ticket.id}/suggest_articles").get_json()["data"]
    assert [a["title"] for a in suggested] == ["Printer offline", "Printer firmware (agents)", "Replacing toner"]


def test_the_portal_suggests_published_articles_while_the_customer_types(app, desk, articles):
    desk.customer("carla")
    client = app.test_client()
    sign_in(client, "carla")
    fragment = client.get("/portal/suggest?subject=printer+offline&body=", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "Printer offline" in text and "Replacing toner" in text
    assert "firmware" not in text and "recall" not in text and "<html" not in text
    search = client.get("/portal/kb?q=printer").get_data(as_text=True)
    assert "Printer offline" in search and "Printer firmware" not in search
    assert client.get(f"/portal/kb/{articles['draft'].id}").status_code == 404
