"""The card page: the addon's template `loyalty_cards/detail.html` extends the kernel's
detail page and fills its `summary` block, while every other model keeps the kernel's page."""
from __future__ import annotations

import re

import pytest

from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("spectrum_loyalty")


@pytest.mark.parametrize("points, expected", [
    (120, "380 points to Silver"),
    (1500, "500 points to Gold"),
    (2400, "Top tier reached."),
])
def test_the_card_page_shows_the_tier_and_the_points_to_the_next_one(client, manager, make_contact, make_card,
                                                                       points, expected):
    card = make_card(make_contact("Durand"), "LOY-7", points=points)
    sign_in(client, manager.login)
    html = client.get(f"/m/loyalty_cards/{card.id}").get_data(as_text=True)
    summary = re.search(r'<section class="card loyalty-summary".*?</section>', html, re.S).group(0)
    assert expected in summary
    assert f"<strong>{points:,}</strong> points" in summary
    assert 'aria-label="Fields"' in html, "the rest of the kernel's page is still there"


def test_other_models_keep_the_kernels_detail_page(client, manager, make_contact):
    contact = make_contact("Durand")
    sign_in(client, manager.login)
    html = client.get(f"/m/contacts/{contact.id}").get_data(as_text=True)
    assert "Durand" in html and "loyalty-summary" not in html
