"""Every page and endpoint refuses a user who may not use it with 401, 403, 404 or a
redirect to sign in, never with 500: anonymous visitors, portal customers and partner
users on back-office pages, and users without a role, on every route of the shipped
addons (the error handlers are the app's, so an addon's page answers like the kernel's)."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

SHIPPED = ("contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership", "analytics")


def _get_urls(app) -> list[str]:
    """One URL per GET route, its record ids 1 and its resource `contacts`."""
    adapter = app.url_map.bind("localhost")
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or rule.endpoint == "web.logout":
            continue
        values = {name: 1 if type(rule._converters[name]).__name__ == "IntegerConverter" else "contacts"
                  for name in rule.arguments}
        urls.add(adapter.build(rule.endpoint, values))
    return sorted(urls)


@pytest.mark.spectrum_addons(*SHIPPED, demo=True)
def test_no_route_answers_500_to_a_user_who_may_not_use_it(app, make_user):
    contact = Env.system().records.create("contacts", {"last_name": "Customer"})
    db.session.commit()
    users = [make_user("carla", roles=["base.portal"], kind="portal", contact_id=contact.id),
             make_user("pat", roles=["base.partner"], kind="partner"),
             make_user("nobody", roles=[]),
             make_user("ivan", roles=["base.user"])]
    urls = _get_urls(app)
    assert {"/sales/forecast", "/m/contacts/export.csv", "/portal/"} <= set(urls)
    failures = []
    for user in [None, *users]:
        client = app.test_client()
        if user is not None:
            sign_in(client, user.login)
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                failures.append((user.login if user else "anonymous", url, status))
    assert failures == []


@pytest.mark.spectrum_addons(*SHIPPED, demo=True)
def test_refusals_answer_403_on_pages_and_in_problem_json_under_the_api(app, client, make_user):
    make_user("ivan", roles=["base.user"])
    sign_in(client, "ivan")
    for url in ("/sales/forecast", "/m/contacts/export.csv", "/m/contacts"):
        page = client.get(url)
        assert (page.status_code, page.mimetype) == (403, "text/html"), url
        assert "may not read" in page.get_data(as_text=True)
    api = client.get("/api/v1/_sales/forecast")
    assert (api.status_code, api.mimetype) == (403, "application/problem+json")
