"""Reading JSON that callers send (request bodies, filters in query strings) within bounds.

The standard library's parser accepts what later fails far from the request: a lone
surrogate (`"\\ud800"`) that no database can store, `NaN` and `Infinity`, and nesting
so deep that parsing, validating or storing it exhausts the recursion limit. orjson
refuses the first two and nesting past 1,024 levels; `MAX_DEPTH` keeps what reaches the
platform well inside the depth every later recursive walk (the filter compiler,
`json.dumps` of a JSON column) can take.
"""
from __future__ import annotations

from typing import Any

import orjson

__all__ = ["JsonInputError", "load_json", "MAX_DEPTH"]

#: The deepest nesting of arrays and objects accepted (a filter 20 combinations deep,
#: inside a request body, stays under it).
MAX_DEPTH = 64


class JsonInputError(ValueError):
    """Text that is not JSON, or JSON beyond the bounds; the message says which and where."""


def load_json(text: str | bytes | bytearray | memoryview) -> Any:
    """The value of JSON `text`, or JsonInputError: invalid JSON (including `NaN`,
    invalid UTF-8 and lone surrogates) or nested deeper than `MAX_DEPTH`."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise JsonInputError(_reason(error)) from None
    _check_depth(value)
    return value


def _reason(error: orjson.JSONDecodeError) -> str:
    if "depth limit" in error.msg:
        return f"it is nested deeper than {MAX_DEPTH} levels"
    return f"{error.msg} at position {error.pos}"


def _check_depth(value: Any) -> None:
    """JsonInputError if `value` nests arrays and objects deeper than MAX_DEPTH (walked
    without recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_DEPTH:
            raise JsonInputError(f"it is nested deeper than {MAX_DEPTH} levels")
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
