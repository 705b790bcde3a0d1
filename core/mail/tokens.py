"""Signed tokens of tracking links, unsubscribe links and VERP return addresses."""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from core.platform import platform

__all__ = ["sign", "unsign", "base_url", "verp_address", "verp_message_id", "BadSignature"]

_VERP = re.compile(r"^(?P<local>[^+@]+)\+(?P<id>\d+)-(?P<sig>[0-9a-f]{12})@(?P<domain>.+)$", re.IGNORECASE)


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(platform().settings["secret_key"], salt=f"spectrum.mail.{purpose}")


def sign(purpose: str, value: Any) -> str:
    """A URL-safe token of `value` for `purpose` (open, click, unsubscribe)."""
    return _serializer(purpose).dumps(value)


def unsign(purpose: str, token: str) -> Any:
    """The value of a token; BadSignature if it was forged or made for another purpose."""
    return _serializer(purpose).loads(token)


def base_url() -> str:
    """Where recipients reach this instance: setting base_url, else http://host:port."""
    settings = platform().settings
    return (settings["base_url"] or f"http://{settings['host']}:{settings['port']}").rstrip("/")


def _verp_signature(message_id: int) -> str:
    key = str(platform().settings["secret_key"]).encode()
    return hmac.new(key, f"verp:{message_id}".encode(), hashlib.sha256).hexdigest()[:12]


def verp_address(message_id: int) -> str | None:
    """The return path of message `message_id` (`bounces+42-1a2b3c4d5e6f@example.com`), or None
    when no bounce address is configured."""
    bounce = platform().settings["mail_bounce_address"]
    if not bounce:
        return None
    local, domain = bounce.rsplit("@", 1)
    return f"{local}+{message_id}-{_verp_signature(message_id)}@{domain}"


def verp_message_id(address: str) -> int | None:
    """The message id a VERP return address stands for, if it is one of ours and not forged."""
    match = _VERP.match(address.strip().strip("<>"))
    if match is None:
        return None
    message_id = int(match["id"])
    return message_id if hmac.compare_digest(match["sig"].lower(), _verp_signature(message_id)) else None
