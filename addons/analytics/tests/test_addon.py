"""The addon installs beside contacts alone: its roles, the menu shown to analytics users
only, and the transaction lists they read but nobody writes by hand."""
from __future__ import annotations

from typing import Any

import pytest

from core.env import Env
from core.records.errors import AccessDenied
from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("analytics")


def test_analytics_users_see_the_menu_and_others_do_not(app: Any, make_user: Any) -> None:
    make_user("ana", roles=["analytics.manager"])
    make_user("carl", roles=["contacts.user"])
    analyst, other = app.test_client(), app.test_client()
    sign_in(analyst, "ana")
    sign_in(other, "carl")
    page = analyst.get("/m/analytics_transactions").get_data(as_text=True)
    assert 'href="/m/analytics_transactions"' in page and 'href="/m/analytics_sources"' in page
    assert other.get("/m/analytics_transactions").status_code == 403
    assert 'href="/m/analytics_transactions"' not in other.get("/m/contacts").get_data(as_text=True)


def test_transactions_are_read_only_even_for_managers(app: Any, make_user: Any) -> None:
    manager = make_user("ana", roles=["analytics.manager"])
    env = Env(Env.system().platform, manager)
    assert env.records.count("analytics_transactions").value == 0
    with pytest.raises(AccessDenied):
        env.records.create("analytics_transactions", {"source": "x", "source_record_id": 1})
