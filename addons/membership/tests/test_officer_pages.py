"""Every page of the Membership menu, and the record page of its first record, opens for
the officers who work in it (on the demo society), and the dashboard for the manager."""
from __future__ import annotations

import re
from typing import Any

import pytest

from core.testing.web import sign_in

from addons.membership.views import membership_menus

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("membership", demo=True)]


@pytest.mark.parametrize("login, role", [("olga", "membership.officer"), ("mona", "membership.manager")])
def test_the_membership_menu_opens_for_who_works_in_it(client: Any, make_user: Any, login: str, role: str) -> None:
    make_user(login, roles=[role])
    sign_in(client, login)
    for item in membership_menus():
        if item.model is None:
            continue
        listed = client.get(f"/m/{item.model}")
        assert listed.status_code == 200, (item.model, listed.get_data(as_text=True)[-400:])
        first = re.search(rf'href="/m/{item.model}/(\d+)', listed.get_data(as_text=True))
        assert first, f"the demo shows some {item.model}"
        page = client.get(f"/m/{item.model}/{first.group(1)}")
        assert page.status_code == 200, (item.model, first.group(1), page.get_data(as_text=True)[-400:])
    assert client.get("/dashboards/membership").status_code == 200
