"""The filter builder's rows (core.web.filter_rows): a domain split into the rows a user
edits and the JSON of the rest, and the rows and JSON a form posts joined back."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from core.web.filter_rows import domain_rows, posted_domain, posted_rows, row_condition, rows_domain


def test_a_domain_splits_into_rows_and_the_rest_and_joins_back() -> None:
    domain = [["country", "=", "FR"], ["score", ">=", 3], ["vip", "=", True], ["city", "in", ["Paris", "Lyon"]],
              ["email", "is null", None], {"or": [["a", "=", 1], ["b", "=", 2]]},
              ["created_at", ">=", {"$now": {"days": -7}}], ["tags.name", "in", ["a, b"]],
              ["interactions", "any", [["channel", "=", "email"]]]]
    rows, rest = domain_rows(domain)
    assert rows == [("country", "=", "FR"), ("score", ">=", "3"), ("vip", "=", "true"),
                    ("city", "in", "Paris, Lyon"), ("email", "is null", "")]
    assert rest == domain[5:]  # combinations, context values, a comma inside a value, relation tests
    assert rows_domain(rows, rest) == [["country", "=", "FR"], ["score", ">=", "3"], ["vip", "=", "true"],
                                       ["city", "in", ["Paris", "Lyon"]], ["email", "is null", None], *domain[5:]]
    assert domain_rows(["country", "=", "FR"]) == ([("country", "=", "FR")], [])  # one bare condition
    assert domain_rows({"not": ["a", "=", 1]}) == ([], [{"not": ["a", "=", 1]}])
    assert domain_rows(None) == ([], [])


def test_the_rows_a_form_posts_are_read_in_order_blank_ones_left_out() -> None:
    form = MultiDict({"f.10.field": "city", "f.10.operator": "in", "f.10.value": "Paris,, Lyon",
                      "f.2.field": "country", "f.2.operator": "!=", "f.2.value": "FR",
                      "f.3.field": "", "f.3.operator": "=", "f.3.value": "ignored",
                      "f": '{"or": [["a", "=", 1]]}', "other.0.field": "x", "f.x.field": "y"})
    assert posted_rows(form, "f") == [("country", "!=", "FR"), ("city", "in", "Paris,, Lyon")]
    assert posted_domain(form, "f") == [["country", "!=", "FR"], ["city", "in", ["Paris", "Lyon"]],
                                        {"or": [["a", "=", 1]]}]
    assert posted_domain(MultiDict({"f": '[["a", "=", 1], ["b", "=", 2]]'}), "f") == [["a", "=", 1], ["b", "=", 2]]
    assert posted_domain(MultiDict({"f": ' ["a", "=", 1] '}), "f") == [["a", "=", 1]]
    assert posted_domain(MultiDict(), "f") == []
    with pytest.raises(ValueError, match="Not valid JSON"):
        posted_domain(MultiDict({"f": "[["}), "f")


def test_a_row_gives_its_condition_by_the_field_s_kind() -> None:
    assert row_condition(("vip", "=", "Yes"), "boolean") == ["vip", "=", True]
    assert row_condition(("vip", "=", "Yes")) == ["vip", "=", "Yes"]
    assert row_condition(("n", "between", "1, 5")) == ["n", "between", ["1", "5"]]
    assert row_condition(("n", "is not null", "x")) == ["n", "is not null", None]
