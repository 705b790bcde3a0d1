"""Every page of the demo database renders for the admin: each menu entry, list, board,
dashboard and new-record form, and the detail and edit pages of records of every model.
(Their server times are measured by `python -m scripts.bench.demo_pages`, not here.)"""
from __future__ import annotations

import pytest

from core.testing.web import sign_in
from scripts.bench.demo_pages import crawl, page_urls

SHIPPED = ("contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership", "analytics")


@pytest.mark.slow
@pytest.mark.spectrum_addons(*SHIPPED, demo=True)
def test_every_page_of_the_demo_renders(app, client, admin):
    sign_in(client, "admin")
    urls = page_urls(app, client)
    assert {"/m/contacts", "/m/opportunities/kanban", "/m/tickets/kanban", "/m/accounts/1"} <= set(urls)
    assert len(urls) > 200
    broken = [(page.url, page.status) for page in crawl(app, client, urls, repeat=0) if page.status != 200]
    assert broken == []
