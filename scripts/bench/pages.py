"""Benchmarks 2, 3, 4 and 6: server time of the product's endpoints, in process, against
hand-written SQL through psycopg plus `json.dumps` doing the same work.

"Server time" is the time of the whole WSGI request inside this process (routing,
authentication, record rules, query, serialization), without a network in between.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg.rows import dict_row

from scripts.bench.actors import Actors
from scripts.bench.measure import Figure, side_by_side
from scripts.bench.seed import psycopg_url

__all__ = ["PageBench", "CITY", "SEARCH_TERMS", "SEARCHED_TEXT", "list_url"]

CITY = "Paris"
PAGE = 50
DEEP_PAGE = 2000
#: Substrings people type: a surname fragment, a first name, an email fragment.
SEARCH_TERMS = ("dubo", "yasmin", "ndez", "rossi.1", "kowal")
TIMELINE_ROWS = 50
#: What the search matches: a contact's name and email read as one text (core.models.search),
#: the expression of the contacts' trigram index.
SEARCHED_TEXT = "(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') || ' ' || coalesce(c.email, ''))"
#: The contacts' default order (last name, first name, id; NULL first), as SQL.
ORDER = "c.last_name, c.first_name NULLS FIRST, c.id"  # what the contact page shows (addons/contacts/timeline.py TIMELINE_LENGTH)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat()


def list_url(cursor: str | None = None) -> str:
    """The API list of contacts in CITY sorted by name (benchmark 2 and 5)."""
    params = {"filter": json.dumps([["city", "=", CITY]]), "sort": "last_name", "limit": str(PAGE)}
    if cursor:
        params["cursor"] = cursor
    return "/api/v1/contacts?" + urlencode(params)


@dataclass
class PageBench:
    """The product app and a raw psycopg connection on the same database."""

    url: str
    actors: Actors
    repeat: int = 30

    def __post_init__(self) -> None:
        from core.app import create_app

        self.app = create_app({"database_url": self.url})
        self.client = self.app.test_client()
        self.raw = psycopg.connect(psycopg_url(self.url), autocommit=True, row_factory=dict_row)

    def close(self) -> None:
        """Release the raw connection and the app's pool."""
        self.raw.close()
        with self.app.app_context():
            from core.db import db

            db.engine.dispose()

    def _get(self, path: str, token: str) -> Any:
        response = self.client.get(path, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
        return response

    def columns(self) -> list[str]:
        """The fields the product's list returns, so the baseline serializes the same ones."""
        body = self._get(list_url(), self.actors.team_token).get_json()
        return list(body["data"][0]) if body["data"] else ["id"]

    def select_list(self, columns: list[str]) -> str:
        parts = []
        for name in columns:
            if name == "tags":
                parts.append("ARRAY(SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
                             "WHERE ct.record_id = c.id) AS tags")
            elif name == "display_name":
                parts.append("concat_ws(' ', c.first_name, c.last_name) AS display_name")
            else:
                parts.append(f"c.{name}")
        return ", ".join(parts)

    # -- 2. list ------------------------------------------------------------------------
    def list_figures(self) -> list[Figure]:
        """First page and a deep page of the team-restricted, filtered, sorted contact list."""
        from core.records.pagination import SortKey, encode_cursor

        columns = self.columns()
        owners = self.actors.team_owner_ids
        where = "c.owner_id = ANY(%(owners)s) AND c.city = %(city)s"
        matched = self.raw.execute(f"SELECT count(*) AS n FROM contacts c WHERE {where}",
                                   {"owners": owners, "city": CITY}).fetchone()["n"]
        deep_page = max(1, min(DEEP_PAGE, matched // PAGE - 1))
        after = self.raw.execute(
            f"SELECT c.last_name, c.first_name, c.id FROM contacts c WHERE {where} ORDER BY {ORDER} "
            "OFFSET %(offset)s LIMIT 1", {"owners": owners, "city": CITY, "offset": (deep_page - 1) * PAGE - 1}
        ).fetchone() if deep_page > 1 else None
        sql = (f"SELECT {self.select_list(columns)} FROM contacts c WHERE {where} {{keyset}} "
               f"ORDER BY {ORDER} LIMIT {PAGE + 1}")
        figures = []
        for key, label, row in (("list_first", "first page", None), ("list_deep", f"deep page ({deep_page})", after)):
            cursor = None
            if row is not None:
                keys = [SortKey("last_name", None, False, False), SortKey("first_name", None, False, True),
                        SortKey("id", None, False, False)]
                cursor = encode_cursor(keys, SimpleNamespace(**row))
            path = list_url(cursor)
            params = {"owners": owners, "city": CITY, **({"after_name": row["last_name"], "after_first": row["first_name"],
                                                          "after_id": row["id"]} if row else {})}
            statement = sql.format(keyset="AND (c.last_name, c.first_name, c.id) > (%(after_name)s, %(after_first)s, "
                                          "%(after_id)s)" if row else "")

            def raw(statement: str = statement, params: dict[str, Any] = params) -> str:
                rows = self.raw.execute(statement, params).fetchall()
                return json.dumps({"data": rows[:PAGE], "next": "x" if len(rows) > PAGE else None}, default=_default)

            ours, base = side_by_side(lambda path=path: self._get(path, self.actors.team_token), raw, self.repeat)
            figures.append(Figure(key, f"2. API list, {label} (team rule, city, sort)", "ms", ours, base, 2.0,
                                  "ratio_max", {"p50_target_ms": 20, "p50_met": ours < 20, "matched": matched,
                                                "page": 1 if row is None else deep_page}))
        return figures

    # -- 3. search ------------------------------------------------------------------------
    def search_figure(self) -> Figure:
        """Substring search on name or email (the API's `q`), as the team salesperson."""
        columns = self.columns()
        # What a DBA writes for it: the matches first (the trigram index of the name and
        # email read as one text, core.models.search), then the page of them.
        sql = ("WITH matches AS MATERIALIZED (SELECT c.last_name, c.first_name, c.id FROM contacts c "
               f"WHERE c.owner_id = ANY(%(owners)s) AND {SEARCHED_TEXT} ILIKE %(pattern)s) "
               f"SELECT {self.select_list(columns)} FROM contacts c WHERE c.id IN (SELECT id FROM matches "
               f"ORDER BY last_name, first_name NULLS FIRST, id LIMIT {PAGE + 1}) ORDER BY {ORDER}")
        terms = itertools.cycle(SEARCH_TERMS)
        state = {"term": SEARCH_TERMS[0]}

        def ours() -> Any:
            # The baseline runs right after with the same term (see side_by_side).
            state["term"] = next(terms)
            return self._get("/api/v1/contacts?" + urlencode({"q": state["term"], "sort": "last_name",
                                                              "limit": str(PAGE)}), self.actors.team_token)

        def raw() -> str:
            rows = self.raw.execute(sql, {"owners": self.actors.team_owner_ids,
                                          "pattern": f"%{state['term']}%"}).fetchall()
            return json.dumps({"data": rows[:PAGE]}, default=_default)

        mine, base = side_by_side(ours, raw, max(self.repeat, 2 * len(SEARCH_TERMS)))
        return Figure("search", "3. Search name/email substring (p50 over terms)", "ms", mine, base, 50, "max",
                      {"terms": list(SEARCH_TERMS)})

    # -- 4. timeline ------------------------------------------------------------------------
    def timeline_figure(self) -> Figure:
        """The detail page of the contact with the longest timeline."""
        contact = self.raw.execute("SELECT contact_id AS id, count(*) AS n FROM interactions "
                                   "GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1").fetchone()
        path = f"/m/contacts/{contact['id']}"

        def raw() -> str:
            record = self.raw.execute("SELECT * FROM contacts WHERE id = %s", (contact["id"],)).fetchone()
            items = self.raw.execute(
                "SELECT id, channel, direction, subject, occurred_at, user_id FROM interactions "
                f"WHERE contact_id = %s ORDER BY occurred_at DESC, id DESC LIMIT {TIMELINE_ROWS + 1}",
                (contact["id"],)).fetchall()
            return json.dumps({"record": record, "timeline": items}, default=_default)

        ours, base = side_by_side(lambda: self._get(path, self.actors.rep_token), raw, self.repeat)
        return Figure("timeline", "4. Contact detail page with timeline", "ms", ours, base, 30, "max",
                      {"contact_id": contact["id"], "interactions": contact["n"], "shown": TIMELINE_ROWS})

    # -- 6. kanban ------------------------------------------------------------------------
    def kanban_figure(self) -> Figure | None:
        """The sales pipeline board (counts and sums per stage) as the sales director."""
        if self.actors.director_token is None:
            return None
        total = self.raw.execute("SELECT count(*) AS n FROM opportunities").fetchone()["n"]

        def raw() -> str:
            # The same schema's per-stage totals (kept by the database's triggers), as a
            # hand-written query reads them.
            groups = self.raw.execute(
                "SELECT stage_id, sum(record_count) AS n, sum(amount_company) AS amount, "
                "sum(weighted_amount) AS weighted FROM opportunity_totals GROUP BY stage_id "
                "HAVING sum(record_count) > 0").fetchall()
            cards = [self.raw.execute(
                "SELECT id, name, account_id, amount, close_date, owner_id FROM opportunities WHERE stage_id = %s "
                "ORDER BY created_at DESC, id DESC LIMIT 51", (group["stage_id"],)).fetchall() for group in groups]
            return json.dumps({"groups": groups, "cards": cards}, default=_default)

        ours, base = side_by_side(lambda: self._get("/m/opportunities/kanban", self.actors.director_token), raw,
                                  max(5, self.repeat // 3))
        return Figure("kanban", "6. Pipeline board (per-stage counts and sums)", "ms", ours, base, 100, "max",
                      {"opportunities": total})
