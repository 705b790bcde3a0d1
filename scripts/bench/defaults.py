"""Benchmark 8, 3b and 9: what a user meets where they land, beside the tuned fast path.

- 8: the default list of each main model, with no filter and in its default order, first
  page and a deep page (the row half-way through what the user sees, reached by cursor),
  as the administrator and as a restricted user (the team salesperson for contacts, a
  salesperson who sees their own leads and deals);
- 3b: substring search over a fixed list of common and of rare fragments, p50 and p95;
- 9: the pipeline board and the forecast page as a salesperson.

Each beside the hand-written SQL doing the same work (psycopg plus `json.dumps`).
"""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from scripts.bench.measure import Figure, interleaved, side_by_side
from scripts.bench.pages import PAGE, SEARCHED_TEXT, PageBench, _default

__all__ = ["default_list_figures", "fragment_search_figures", "salesperson_figures", "COMMON_FRAGMENTS",
           "RARE_FRAGMENTS"]

#: Fragments people type that match many contacts (a first name, surname starts, a syllable).
COMMON_FRAGMENTS = ("mar", "dubo", "marie", "garc", "yasmin", "son", "ber", "lau")
#: Fragments that match few.
RARE_FRAGMENTS = ("rossi.1", "kowal", "ndez", "jürg", "0042")


@dataclass(frozen=True)
class _ListCase:
    """One default list as one user: the model, who, the SQL condition their rules make."""

    resource: str
    who: str
    token: str
    where: str
    params: dict[str, Any]


def _order_sql(keys: list[Any], alias: str) -> str:
    parts = []
    for key in keys:
        part = f"{alias}.{key.name}" + (" DESC" if key.descending else "")
        if key.nullable:
            part += " NULLS LAST" if key.descending else " NULLS FIRST"
        parts.append(part)
    return ", ".join(parts)


def _keyset_sql(keys: list[Any], alias: str) -> str:
    """The hand-written 'rows after' of a cursor with values (no NULL), as a DBA writes it:
    a row comparison where the directions agree, else the expanded form."""
    if len({key.descending for key in keys}) == 1:
        columns = ", ".join(f"{alias}.{key.name}" for key in keys)
        values = ", ".join(f"%(after_{key.name})s" for key in keys)
        return f"({columns}) {'<' if keys[0].descending else '>'} ({values})"
    terms = []
    first = keys[0]
    for index, key in enumerate(keys):
        equal = [f"{alias}.{k.name} = %(after_{k.name})s" for k in keys[:index]]
        terms.append(" AND ".join([*equal, f"{alias}.{key.name} {'<' if key.descending else '>'} "
                                            f"%(after_{key.name})s"]))
    bound = f"{alias}.{first.name} {'<=' if first.descending else '>='} %(after_{first.name})s"
    return f"{bound} AND (" + " OR ".join(f"({term})" for term in terms) + ")"


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _cases(bench: PageBench, with_sales: bool) -> list[_ListCase]:
    actors = bench.actors
    cases = [_ListCase("contacts", "admin", actors.admin_token, "TRUE", {}),
             _ListCase("contacts", "team salesperson", actors.team_token, "t.owner_id = ANY(%(owners)s)",
                       {"owners": actors.team_owner_ids}),
             _ListCase("accounts", "admin", actors.admin_token, "TRUE", {})]
    if with_sales:
        for resource in ("leads", "opportunities"):
            cases += [_ListCase(resource, "admin", actors.admin_token, "TRUE", {}),
                      _ListCase(resource, "salesperson", actors.rep_token, "t.owner_id = %(me)s",
                                {"me": actors.rep_user_id})]
    return cases


def default_list_figures(bench: PageBench, with_sales: bool) -> list[Figure]:
    """Benchmark 8 (see the module's docstring)."""
    from core.env import Env
    from core.records.pagination import encode_cursor, parse_order

    figures = []
    for case in _cases(bench, with_sales):
        with bench.app.app_context():
            model = Env.system().records.models.get(case.resource)
            keys = parse_order(model, None, model.__order__)
        order = _order_sql(keys, "t")
        visible = bench.raw.execute(f"SELECT count(*) AS n FROM {case.resource} t WHERE {case.where}",
                                    case.params).fetchone()["n"]
        middle = bench.raw.execute(
            f"SELECT {', '.join('t.' + key.name for key in keys)} FROM {case.resource} t WHERE {case.where} "
            f"ORDER BY {order} OFFSET %(offset)s LIMIT 1", {**case.params, "offset": max(visible // 2 - 1, 0)}
        ).fetchone()
        first_ms = None
        for depth, row in (("first page", None), (f"deep page (row {visible // 2:,} of {visible:,})", middle)):
            params = {"limit": str(PAGE)}
            raw_params = dict(case.params)
            keyset = ""
            if row is not None:
                if None in row.values():
                    raise SystemExit(f"the middle row of {case.resource} has an empty sort value: {row}")
                params["cursor"] = encode_cursor(keys, SimpleNamespace(**row))
                raw_params.update({f"after_{name}": value for name, value in row.items()})
                keyset = f"AND {_keyset_sql(keys, 't')}"
            path = f"/api/v1/{case.resource}?" + urlencode(params)
            statement = (f"SELECT t.* FROM {case.resource} t WHERE {case.where} {keyset} ORDER BY {order} "
                         f"LIMIT {PAGE + 1}")

            def raw(statement: str = statement, raw_params: dict[str, Any] = raw_params) -> str:
                rows = bench.raw.execute(statement, raw_params).fetchall()
                return json.dumps({"data": rows[:PAGE]}, default=_default)

            ours, base = side_by_side(lambda path=path, token=case.token: bench._get(path, token), raw, bench.repeat)
            key = f"default_{case.resource}_{case.who.split()[-1]}_{'first' if row is None else 'deep'}"
            title = f"8. Default list of {case.resource} as {case.who}, {depth}"
            if row is None:
                first_ms = ours
                figures.append(Figure(key, title, "ms", ours, base, 20, "max", {"visible": visible}))
            else:
                figures.append(Figure(key, title, "ms", ours, base, round(2 * (first_ms or ours), 1), "max",
                                      {"visible": visible, "row": visible // 2, "target_is": "2x the first page",
                                       "first_page_ms": first_ms}))
    return figures


def fragment_search_figures(bench: PageBench) -> list[Figure]:
    """Benchmark 3b: p50 and p95 of the API search (default order) over common and rare
    fragments, as the administrator (every contact: the most matches) and as the team
    salesperson, beside the hand-written search (matches through the trigram index)."""
    figures = []
    for group, fragments in (("common", COMMON_FRAGMENTS), ("rare", RARE_FRAGMENTS)):
        for who, token, where, params in (
                ("admin", bench.actors.admin_token, "TRUE", {}),
                ("team salesperson", bench.actors.team_token, "c.owner_id = ANY(%(owners)s)",
                 {"owners": bench.actors.team_owner_ids})):
            counts = {}
            mine: list[float] = []
            theirs: list[float] = []
            for fragment in fragments:
                pattern = f"%{fragment}%"
                match = f"{SEARCHED_TEXT} ILIKE %(p)s"
                counts[fragment] = bench.raw.execute(f"SELECT count(*) AS n FROM contacts c WHERE {where} AND {match}",
                                                     {**params, "p": pattern}).fetchone()["n"]
                sql = (f"WITH m AS MATERIALIZED (SELECT c.last_name, c.first_name, c.id FROM contacts c "
                       f"WHERE {where} AND {match}) SELECT c.* FROM contacts c WHERE c.id IN (SELECT id FROM m "
                       f"ORDER BY last_name, first_name NULLS FIRST, id LIMIT {PAGE + 1}) "
                       "ORDER BY c.last_name, c.first_name NULLS FIRST, c.id")
                path = "/api/v1/contacts?" + urlencode({"q": fragment, "limit": str(PAGE)})

                def raw(sql: str = sql, pattern: str = pattern) -> str:
                    rows = bench.raw.execute(sql, {**params, "p": pattern}).fetchall()
                    return json.dumps({"data": rows[:PAGE]}, default=_default)

                bench._get(path, token)
                raw()
                ours, base = interleaved(lambda path=path: bench._get(path, token), raw, max(4, bench.repeat // 4))
                mine += ours
                theirs += base
            key = f"search_{group}_{who.split()[-1]}"
            details = {"fragments": counts, "p50_ms": round(statistics.median(mine), 1),
                       "raw_p50_ms": round(statistics.median(theirs), 1)}
            figures.append(Figure(key, f"3b. Search, {group} fragments, as {who} (p95; p50 {details['p50_ms']} ms)",
                                  "ms", _p95(mine), _p95(theirs), 50, "max", details))
    return figures


def salesperson_figures(bench: PageBench) -> list[Figure]:
    """Benchmark 9: the pipeline board and the forecast page as a salesperson (own deals)."""
    me = bench.actors.rep_user_id

    def board_raw() -> str:
        groups = bench.raw.execute(
            "SELECT stage_id, sum(record_count) AS n, sum(amount_company) AS amount, sum(weighted_amount) AS weighted "
            "FROM opportunity_totals WHERE owner_id = %s GROUP BY stage_id HAVING sum(record_count) > 0",
            (me,)).fetchall()
        cards = [bench.raw.execute(
            "SELECT id, name, account_id, amount, close_date, owner_id FROM opportunities WHERE stage_id = %s "
            "AND owner_id = %s ORDER BY close_date NULLS FIRST, id DESC LIMIT 51", (group["stage_id"], me)).fetchall()
            for group in groups]
        return json.dumps({"groups": groups, "cards": cards}, default=_default)

    def forecast_raw() -> str:
        rows = bench.raw.execute(
            "SELECT date_trunc('month', close_date) AS month, forecast_category, count(*) AS n, "
            "sum(amount_company) AS amount, sum(weighted_amount) AS weighted FROM opportunities "
            "WHERE owner_id = %s AND status = 'open' AND close_date >= date_trunc('month', now()) "
            "AND close_date < date_trunc('month', now()) + interval '6 months' GROUP BY 1, 2", (me,)).fetchall()
        return json.dumps(rows, default=_default)

    token = bench.actors.rep_token
    figures = []
    for key, title, path, raw in (("board_salesperson", "9. Pipeline board as a salesperson", "/m/opportunities/kanban",
                                   board_raw),
                                  ("forecast_salesperson", "9. Forecast page as a salesperson", "/sales/forecast",
                                   forecast_raw)):
        ours, base = side_by_side(lambda path=path: bench._get(path, token), raw, max(5, bench.repeat // 3))
        figures.append(Figure(key, title, "ms", ours, base, 100, "max", {"user": "rep01"}))
    return figures
