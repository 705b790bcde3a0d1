"""Pivot tables of any model (core.records.pivot), through the records service, the REST
API and the web exports: a salesperson's pivot of opportunities counts only what their
record rules let them read, and its totals are the list's count and sum."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.env import Env
from core.records.errors import ValidationFailed
from core.records.grouping import group_by
from core.records.pivot import Measure, parse_spec, pivot
from core.testing.sql import sent_statements
from core.testing.web import sign_in

from pivot_fixtures import sellers, stage as _stage  # noqa: F401 - pytest finds fixtures by name here

pytestmark = pytest.mark.spectrum_addons("sales")

def _as(user) -> Env:
    return Env.for_user(user)


def test_a_salespersons_pivot_shows_their_deals_and_totals_equal_the_list(sellers):
    env = _as(sellers["alice"])
    spec = parse_spec(env.records, "opportunities", ["stage_id"], ["close_date:month"],
                      ["count", "amount_company:sum"])
    result = pivot(env.records, "opportunities", spec)
    count, total = Measure(), Measure("amount_company", "sum")
    assert result.value((), (), count) == 5, "Bob's deals are not counted"
    assert result.value((), (), total) == Decimal("1397.50")
    assert result.value((_stage("new"),), ("2026-01",), count) == 2
    assert result.value((_stage("new"),), ("2026-01",), total) == Decimal("350.50")
    assert result.value((_stage("proposal"),), (), total) == Decimal("1040")  # the row's total
    assert result.value((), ("2026-02",), count) == 1  # the column's total
    assert result.value((_stage("qualified"),), (None,), count) == 1  # no close date: its own column
    assert result.leaf_columns() == [("2026-01",), ("2026-02",), ("2026-04",), (None,)]

    # The same user and filter: the list's count and the list's grouped sum.
    domain = [["close_date", ">=", "2026-01-01"]]
    narrowed = pivot(env.records, "opportunities", spec, domain)
    assert narrowed.value((), (), count) == env.records.count("opportunities", domain).value == 4
    groups = group_by(env.records, "opportunities", "stage_id", domain, sums=["amount_company"])
    assert sum(g.sums["amount_company"] for g in groups) == narrowed.value((), (), total)
    assert {g.value: g.count for g in groups} == {
        key[0]: narrowed.value(key, (), count) for key in narrowed.row_keys if key}

    manager = pivot(_as(sellers["mia"]).records, "opportunities", spec)
    assert manager.value((), (), count) == 7


@pytest.mark.parametrize("role", ["sales.salesperson", "sales.director"])
@pytest.mark.parametrize("cols", ["close_date:month", "close_date:quarter", "close_date:year"])
def test_the_pivot_reads_the_kept_monthly_totals_and_they_give_what_the_records_give(sellers, make_user, role, cols):
    """Sales keeps totals per stage, status, owner, team and month of expected close: a
    pivot by those (as a salesperson, whose rule reads the owner, or as a director, who
    reads every deal) reads them instead of the deals, with the figures grouping the deals
    gives."""
    service = _as(sellers["alice"] if role == "sales.salesperson" else make_user("dora", roles=[role])).records
    spec = parse_spec(service, "opportunities", ["stage_id"], [cols], ["count", "amount_company:sum"])
    with sent_statements() as seen:
        kept = pivot(service, "opportunities", spec)
    assert any("opportunity_month_totals" in statement for statement in seen)
    every_deal = [["name", "!=", "no deal has this name"]]  # a filter the totals cannot answer
    with sent_statements() as seen:
        counted = pivot(service, "opportunities", spec, every_deal)
    assert not any("_totals" in statement for statement in seen)
    assert (kept.row_keys, kept.col_keys) == (counted.row_keys, counted.col_keys)
    for measure in spec.measures:
        assert {(row, col): kept.value(row, col, measure) for row in kept.row_keys for col in kept.col_keys} == \
            {(row, col): counted.value(row, col, measure) for row in counted.row_keys for col in counted.col_keys}


@pytest.mark.parametrize(("cols", "measures"), [("close_date:week", ["count"]), ("created_at:month", ["count"]),
                                                ("close_date:month", ["amount_company:avg"])])
def test_what_the_totals_do_not_keep_is_counted_from_the_deals(sellers, cols, measures):
    service = _as(sellers["alice"]).records
    spec = parse_spec(service, "opportunities", ["stage_id"], [cols], measures)
    with sent_statements() as seen:
        result = pivot(service, "opportunities", spec)
    assert not any("_totals" in statement for statement in seen)
    assert result.value((), (), spec.measures[0]) is not None


def test_the_api_answers_the_same_figures_as_the_list(sellers, api_as):
    api = api_as(sellers["alice"])
    filter_ = json.dumps([["amount", ">", 50]])
    answer = api.get(f"/api/v1/opportunities/pivot?rows=stage_id&cols=close_date:month"
                     f"&measure=count,amount_company:sum&filter={filter_}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["rows"] == ["stage_id"] and body["cols"] == ["close_date:month"]
    cells = {(tuple(c["row"]), tuple(c["col"])): c["values"] for c in body["cells"]}
    listed = api.get(f"/api/v1/opportunities?filter={filter_}&total=exact&fields=amount_company").get_json()
    assert cells[((), ())]["count"] == listed["total"]["value"] == 3
    assert Decimal(cells[((), ())]["amount_company:sum"]) == sum(Decimal(r["amount_company"]) for r in listed["data"])
    new = cells[((_stage("new"),), ("2026-01",))]
    assert new["count"] == 2 and Decimal(new["amount_company:sum"]) == Decimal("350.50")
    assert body["names"]["stage_id"][str(_stage("new"))] == "New"


@pytest.mark.parametrize(("granularity", "keys"), [
    ("day", ["2026-01-05", "2026-01-20", "2026-02-03", "2026-04-30"]),
    ("week", ["2026-01-05", "2026-01-19", "2026-02-02", "2026-04-27"]),
    ("month", ["2026-01", "2026-02", "2026-04"]),
    ("quarter", ["2026-Q1", "2026-Q2"]),
    ("year", ["2026"]),
])
def test_dates_group_by_day_week_month_quarter_and_year(sellers, granularity, keys):
    env = _as(sellers["alice"])
    spec = parse_spec(env.records, "opportunities", [f"close_date:{granularity}"], [], ["count"])
    result = pivot(env.records, "opportunities", spec, [["close_date", "!=", None]])
    assert [key[0] for key in result.row_keys if key] == keys
    assert sum(result.value(key, (), Measure()) for key in result.row_keys if key) == 4


def test_one_field_may_group_both_rows_and_columns(sellers):
    env = _as(sellers["alice"])
    spec = parse_spec(env.records, "opportunities", ["close_date:year", "stage_id"], ["stage_id"], ["count"])
    result = pivot(env.records, "opportunities", spec)
    assert result.value(("2026", _stage("new")), (_stage("new"),), Measure()) == 2
    assert result.value(("2026", _stage("new")), (_stage("proposal"),), Measure()) == 0


def test_datetimes_group_by_their_utc_year(sellers):
    env = _as(sellers["mia"])
    spec = parse_spec(env.records, "opportunities", ["created_at:year"], [], ["count"])
    result = pivot(env.records, "opportunities", spec)
    assert len([key for key in result.row_keys if key]) == 1 and result.value((), (), Measure()) == 7


@pytest.mark.parametrize(("query", "parameter", "words"), [
    ("rows=nope", "rows", "no field 'nope'"),
    ("rows=name", "rows", "cannot group"),
    ("rows=stage_id&cols=close_date:fortnight", "cols", "granularity 'fortnight'"),
    ("rows=stage_id:month", "rows", "not a date"),
    ("rows=stage_id&measure=name:sum", "measure", "not a number"),
    ("rows=stage_id&measure=amount:sum", "measure", "own currency"),
    ("rows=stage_id&measure=amount_company:median", "measure", "amount_company:avg"),
    ("rows=stage_id,owner_id,team_id", "rows", "at most 2"),
])
def test_a_bad_parameter_is_a_422_naming_it(sellers, api_as, query, parameter, words):
    answer = api_as(sellers["alice"]).get(f"/api/v1/opportunities/pivot?{query}")
    assert answer.status_code == 422, answer.get_data(as_text=True)
    problem = answer.get_json()
    assert list(problem["errors"]) == [parameter] and words in " ".join(problem["errors"][parameter])
    with pytest.raises(ValidationFailed):
        env = _as(sellers["alice"])
        args = dict(part.split("=") for part in query.split("&"))
        parse_spec(env.records, "opportunities", [args.get("rows", "")], [args.get("cols", "")],
                   [args.get("measure", "count")])


def test_the_pivot_is_documented_in_openapi(app, client):
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/v1/opportunities/pivot"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"rows", "cols", "measure", "filter"}
    assert "422" in operation["responses"]


def test_the_pivot_exports_to_csv_and_xlsx(sellers, client):
    sign_in(client, "alice")
    query = "rows=stage_id&cols=close_date:quarter&measure=count&measure=amount_company:sum"
    answer = client.get(f"/m/opportunities/pivot.csv?{query}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Stage", "2026-Q1 · Count", "2026-Q1 · Amount (company currency): sum"]
    assert rows[0][-2:] == ["Total · Count", "Total · Amount (company currency): sum"]
    by_label = {row[0]: row for row in rows[1:]}
    assert by_label["New"][1:3] == ["2", "350.50"]
    assert by_label["Total"][-2:] == ["5", "1397.50"]

    answer = client.get(f"/m/opportunities/pivot.xlsx?{query}")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == rows[0]
    total = next(row for row in cells if row[0] == "Total")
    assert total[-2:] == [5, pytest.approx(1397.5)]
    assert sheet.cell(row=len(cells), column=1).font.bold


def test_the_pivot_and_graph_pages_keep_the_lists_filter(sellers, client):
    sign_in(client, "alice")
    html = client.get("/m/opportunities/pivot?rows=stage_id&rows=close_date:month&q=new").get_data(as_text=True)
    assert "Only the records of the list" in html and 'name="q" value="new"' in html
    assert 'data-fold="[' in html, "a nested row group folds away"
    page = client.get("/m/opportunities/pivot?rows=stage_id&cols=nope")
    assert page.status_code == 400 and "no field" in page.get_data(as_text=True)
    assert client.get("/m/opportunities/pivot.csv?rows=name").status_code == 422
    page = client.get("/m/opportunities/graph?group=stage_id&measure=name:avg")
    assert page.status_code == 400 and "not a number" in page.get_data(as_text=True)
    graph = client.get("/m/opportunities/graph?group=stage_id&stack=close_date:month&kind=bar")
    data = json.loads(graph.get_data(as_text=True).split('id="graph-opportunities-data">')[1].split("</script>")[0])
    assert data["labels"] == ["New", "Qualified", "Proposal"] and data["stacked"] is True
    assert [s["name"] for s in data["series"]] == ["2026-01", "2026-02", "2026-04", "(none)"]
    assert data["series"][0]["data"] == [2, 0, 0]
