"""The raw baseline of benchmark 5: bare Flask + psycopg returning the same JSON as the
product's contact list (the same rows and fields), with nothing in between.

    BENCH_DATABASE_URL=... BENCH_OWNERS=2,3,4,5,6 gunicorn -w 2 scripts.bench.baseline_app:app
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

import psycopg
from flask import Flask, Response, request
from psycopg.rows import dict_row

__all__ = ["app"]

app = Flask(__name__)
_SQL = os.environ.get("BENCH_SQL", "")
_OWNERS = [int(part) for part in os.environ.get("BENCH_OWNERS", "").split(",") if part]
_connection: psycopg.Connection | None = None


def _conn() -> psycopg.Connection:
    # One connection per worker process, made after the fork.
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True, row_factory=dict_row)
    return _connection


def _default(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value.isoformat()


@app.get("/contacts")
def contacts() -> Response:
    """The first page of contacts in `city` owned by the team, sorted by last name."""
    rows = _conn().execute(_SQL, {"owners": _OWNERS, "city": request.args.get("city", "")}).fetchall()
    body = json.dumps({"data": rows[:50], "next": "more" if len(rows) > 50 else None}, default=_default)
    return Response(body, mimetype="application/json")
