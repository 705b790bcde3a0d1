"""Paging through a list: the position ("51-100 of 297"), previous and next pages that come
back to exactly the rows seen, and a choice of rows per page."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)


def _page(client, url: str) -> tuple[list[str], str, dict[str, str]]:
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    ids = [box["value"] for box in soup.select("input[name=ids]")]
    pager = soup.select_one("nav.pager")
    links = {a.get_text(strip=True): a["href"] for a in pager.select("a")}
    return ids, " ".join(pager.select_one(".position").get_text().split()), links


def test_next_and_previous_pages_show_the_same_rows_and_say_where_they_are(client, admin):
    sign_in(client, "admin")
    total = int(re.search(r"(\d+) contacts", client.get("/m/contacts").get_data(as_text=True)).group(1))
    assert total > 75
    first, position, links = _page(client, "/m/contacts?size=25&sort=last_name")
    assert len(first) == 25 and position == f"1–25 of {total}" and "‹ Previous" not in links
    second, position, links = _page(client, links["Next ›"])
    assert position == f"26–50 of {total}" and not set(second) & set(first)
    third, position, links = _page(client, links["Next ›"])
    assert position == f"51–75 of {total}" and not set(third) & set(second)
    back, position, links = _page(client, links["‹ Previous"])
    assert (back, position) == (second, f"26–50 of {total}")
    back, position, links = _page(client, links["‹ Previous"])
    assert (back, position) == (first, f"1–25 of {total}") and "‹ Previous" not in links


def test_rows_per_page_can_be_chosen_and_odd_sizes_fall_back(client, admin):
    sign_in(client, "admin")
    assert len(_page(client, "/m/contacts?size=100")[0]) == 100
    assert len(_page(client, "/m/contacts?size=7")[0]) == 50  # not offered: the platform's page size
    html = client.get("/m/contacts?size=100&q=a").get_data(as_text=True)
    form = BeautifulSoup(html, "html.parser").select_one("form.page-size")
    assert form.select_one("option[selected]")["value"] == "100"
    assert form.select_one("input[name=q]")["value"] == "a", "choosing a size keeps the search"


def test_headers_offer_only_the_sorts_an_index_serves_and_show_the_sort_in_force(client, admin):
    sign_in(client, "admin")

    def headers(url: str) -> dict[str, tuple[str | None, str | None]]:
        soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
        return {" ".join(th.get_text().split()).rstrip(" ▲▼"): (th.get("aria-sort"), th.a["href"] if th.a else None)
                for th in soup.select("table.grid thead th")[1:]}

    default = headers("/m/contacts")
    assert default["Last name"][0] == "ascending" and "sort=-last_name" in default["Last name"][1]
    assert default["City"] == (None, default["City"][1]) and "sort=city" in default["City"][1]
    assert default["First name"] == (None, None) and default["Owner"] == (None, None)
    reversed_ = headers("/m/contacts?sort=-last_name")
    assert reversed_["Last name"][0] == "descending" and "sort=last_name" in reversed_["Last name"][1]
    by_city = headers("/m/contacts?sort=city")
    assert by_city["City"][0] == "ascending" and by_city["Last name"][0] is None
