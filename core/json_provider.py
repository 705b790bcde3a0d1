"""Flask's JSON through orjson: every API answer is JSON, and on a 50-record list page the
standard library's encoder cost more than a third of the database's time for the page.

The output matches Flask's own provider value for value (dates as HTTP dates, Decimal and
UUID as strings, dataclasses as objects); what orjson cannot encode (an integer wider than
64 bits) falls back to the standard library rather than failing the response.

Decoding (`request.get_json()` anywhere) goes through `core.json_input`, so a body nested
too deep or holding a lone surrogate is a ValueError, which Flask answers with 400.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

from core.json_input import load_json

__all__ = ["FastJSONProvider"]

#: Dates go through `default` (Flask's HTTP-date form) rather than orjson's RFC 3339.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class FastJSONProvider(DefaultJSONProvider):
    """Flask's default JSON provider, encoding with orjson."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """`obj` as a JSON string; keyword arguments (indent, sort_keys...) take the
        standard library's path, which honours them."""
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """The value of JSON `s`, within the bounds of core.json_input; keyword arguments
        (an `object_hook`, as Flask's session serializer passes) take the standard
        library's path, which honours them."""
        if kwargs:
            return super().loads(s, **kwargs)
        return load_json(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """`jsonify`: a compact JSON response (pretty-printed in debug mode, as Flask does)."""
        obj = self._prepare_response_obj(args, kwargs)
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(obj)
        return self._app.response_class(self._encode(obj), mimetype=self.mimetype)

    def _encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().dumps(obj).encode()
