"""The raw baseline of the shop webhook benchmark: bare Flask that only checks a generic
delivery's HMAC signature and timestamp, as the product does, and answers 202.

    BENCH_SECRET=... gunicorn -w 2 scripts.bench.webhook_baseline_app:app
"""
from __future__ import annotations

import hashlib
import hmac
import os
import time

from flask import Flask, Response, jsonify, request

__all__ = ["app"]

app = Flask(__name__)
_SECRET = os.environ.get("BENCH_SECRET", "").encode()
_TOLERANCE = 300


@app.post("/api/v1/shops/<int:shop_id>/events")
def receive(shop_id: int) -> tuple[Response, int]:
    """202 when `X-Spectrum-Signature` is `sha256=<hex>` of `<timestamp>.<body>`, else 401."""
    body = request.get_data()
    stamp = request.headers.get("X-Spectrum-Timestamp", "")
    given = request.headers.get("X-Spectrum-Signature", "")
    expected = "sha256=" + hmac.new(_SECRET, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= _TOLERANCE
    if not fresh or not hmac.compare_digest(expected, given):
        return jsonify({"title": "Unauthorized"}), 401
    return jsonify({"status": "queued", "shop": shop_id}), 202
