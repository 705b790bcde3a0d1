"""The app's JSON (orjson) answers what Flask's own provider answers, value for value."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from flask import jsonify
from flask.json.provider import DefaultJSONProvider

from core.json_provider import FastJSONProvider


@dataclass
class _Point:
    x: int
    label: str


def _payload() -> dict:
    return {"when": datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc), "day": date(2026, 2, 1),
            "amount": Decimal("12.50"), "ref": uuid.UUID(int=7), "point": _Point(1, "é"),
            "nested": [{"ok": True, "none": None, "ratio": 0.25}]}


def test_the_app_answers_what_flasks_own_provider_answers(app):
    assert isinstance(app.json, FastJSONProvider)
    with app.test_request_context():
        ours = jsonify(_payload())
    expected = DefaultJSONProvider(app).dumps(_payload())
    assert ours.mimetype == "application/json"
    assert json.loads(ours.get_data()) == json.loads(expected)
    assert json.loads(ours.get_data())["when"] == "Mon, 05 Jan 2026 09:30:00 GMT"
    assert json.loads(app.json.dumps(_payload())) == json.loads(expected)


def test_what_orjson_cannot_encode_takes_the_standard_librarys_path(app):
    wide = 2 ** 70
    with app.test_request_context():
        assert json.loads(jsonify({"n": wide}).get_data()) == {"n": wide}
    assert app.json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'


def test_debug_mode_pretty_prints_as_flask_does(app):
    app.debug = True
    try:
        with app.test_request_context():
            body = jsonify({"a": [1]}).get_data(as_text=True)
    finally:
        app.debug = False
    assert body == '{\n  "a": [\n    1\n  ]\n}\n'
