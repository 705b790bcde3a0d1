"""At a phone's width (390 px) no page of the demo data scrolls sideways: lists, records,
forms, boards, dashboards and reports fit, and what is wider (a table) scrolls in its own box."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in, sign_in_browser
from scripts.bench.demo_pages import page_urls

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)]

PHONE = {"width": 390, "height": 844}


def test_no_demo_page_scrolls_sideways_at_390_px(app, client, admin, live_server, browser):
    # A saved view whose name is as long as the shipped ones (membership's "SYBUNT donors
    # (this fiscal year)"), shared: the list's view picker must shrink to the phone.
    Env.system().records.create("saved_filters", {
        "name": "Contacts who gave last year but not yet this fiscal year", "model": "contacts",
        "domain": [["city", "!=", None]], "shared": True})
    db.session.commit()
    sign_in(client, "admin")
    urls = [url for url in page_urls(app, client) if not url.endswith(".csv")]
    assert len(urls) > 150
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in_browser(page, live_server, "admin")
        wide = {}
        for url in urls:
            page.goto(f"{live_server}{url}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[url] = width
        assert wide == {}, f"{len(wide)} of {len(urls)} pages scroll sideways: {dict(list(wide.items())[:20])}"
    finally:
        context.close()
