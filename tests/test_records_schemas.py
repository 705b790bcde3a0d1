"""`input_loader` loads input as the marshmallow input schema does: the same values and the
same messages, field kind by field kind, on every model of contacts and sales."""
from __future__ import annotations

from typing import Any, Mapping

import pytest
from marshmallow import ValidationError

from core.env import Env
from core.records.schemas import input_loader, input_schema

#: Values tried in every field: good ones for some kind, bad ones for others.
SAMPLES: list[Any] = [
    None, "", "plain text", "a" * 300, "nul\x00byte", "ann@example.com", "not@", "https://example.com/x",
    "+33 1 23 45 67 89", "12", "-3", "99999999999", "1.5", "1e400", "12345678901234567890.5", "yes", "maybe",
    "2026-01-02", "2026-13-40", "2026-01-02T03:04:05+02:00", "2026-01-02T03:04:05", 7, True, 2.5,
    ["a", "b"], ["", "x"], [1, 2], [0, "x"], {"key": [1]},
]


def _outcome(load: Any, data: Mapping[str, Any]) -> tuple[str, Any]:
    try:
        return "loaded", load(data)
    except ValidationError as error:
        return "refused", error.normalized_messages()


@pytest.mark.spectrum_addons("contacts", "sales")
@pytest.mark.parametrize("partial", [False, True])
def test_the_loader_answers_as_the_schema_for_every_field_and_value(app, partial):
    records = Env.system().records
    outcomes: set[str] = set()
    compared = 0
    for resource in records.models:
        meta = records.meta(resource)
        writable = records.writable_fields(resource)
        load, schema = input_loader(meta, writable, partial=partial), input_schema(meta, writable, partial=partial)
        inputs = [{}, {name: value for name, value in zip(writable, SAMPLES)}]
        inputs += [{name: value} for name in writable for value in SAMPLES]
        for data in inputs:
            expected = _outcome(schema.load, data)
            assert _outcome(load, data) == expected, (resource, data)
            outcomes.add(expected[0])
            compared += 1
    assert outcomes == {"loaded", "refused"} and compared > 1000
