"""Tokens of tracking links, unsubscribe links and VERP return addresses.

A token names one message (and, for a click, the number of one of its links) and proves
it with an HMAC keyed by both the instance's secret key and the message's own random
key (`MailMessage.token_key`, kept only in the database). So a token cannot be made by
walking message ids, nor with a known or default secret key alone, nor moved onto
another message; and each purpose has its own proof, so the open pixel's address (which
image proxies and link scanners see) cannot be turned into an unsubscribe link.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from core.db import db
from core.mail.models import MailMessage
from core.platform import platform

__all__ = ["message_token", "token_message", "base_url", "verp_address", "verp_message"]

_TOKEN = re.compile(r"^(?P<id>\d{1,18})-(?:(?P<link>\d{1,9})-)?(?P<proof>[0-9a-f]{32})$")
_VERP = re.compile(r"^(?P<local>[^+@]+)\+(?P<id>\d{1,18})-(?P<sig>[0-9a-f]{12})@(?P<domain>.+)$", re.IGNORECASE)


def _proof(message: MailMessage, purpose: str, link: int | None = None) -> str:
    if not message.token_key:  # only a row written around the ORM has none
        raise ValueError(f"mail message {message.id} has no token key")
    proof = _keyed(platform().settings["secret_key"], message.token_key).copy()
    proof.update(f"{purpose}:{message.id}:{link or 0}".encode())
    return proof.hexdigest()


@lru_cache(maxsize=1024)
def _keyed(secret_key: str, token_key: str) -> hmac.HMAC:
    """The HMAC keyed for one message, to copy for each of its tokens (a message has one
    per link, its open pixel, its unsubscribe link and its return path): the key is
    hashed once per message, not once per token."""
    return hmac.new(f"{secret_key}\0{token_key}".encode(), digestmod=hashlib.sha256)


def message_token(purpose: str, message: MailMessage, link: int | None = None) -> str:
    """The URL-safe token of `message` for `purpose` (open, click, unsubscribe); a click
    token also names the link's number (`MailLink.position`)."""
    middle = f"{link}-" if link is not None else ""
    return f"{message.id}-{middle}{_proof(message, purpose, link)[:32]}"


def token_message(purpose: str, token: str) -> tuple[MailMessage, int | None] | None:
    """The message (and link number) a token of `purpose` was made for; None when it is
    malformed, forged, made for another purpose or names a message that does not exist."""
    match = _TOKEN.match(token)
    if match is None or (purpose == "click") != (match["link"] is not None):
        return None
    message = db.session.get(MailMessage, int(match["id"]))
    link = int(match["link"]) if match["link"] is not None else None
    if message is None or not message.token_key or \
            not hmac.compare_digest(match["proof"], _proof(message, purpose, link)[:32]):
        return None
    return message, link


def base_url() -> str:
    """Where recipients reach this instance: setting base_url, else http://host:port."""
    settings = platform().settings
    return (settings["base_url"] or f"http://{settings['host']}:{settings['port']}").rstrip("/")


def verp_address(message: MailMessage) -> str | None:
    """The return path of `message` (`bounces+42-1a2b3c4d5e6f@example.com`), or None when
    no bounce address is configured."""
    bounce = platform().settings["mail_bounce_address"]
    if not bounce:
        return None
    local, domain = bounce.rsplit("@", 1)
    return f"{local}+{message.id}-{_proof(message, 'verp')[:12]}@{domain}"


def verp_message(address: str) -> MailMessage | None:
    """The message a VERP return address stands for, if it is one of ours and not forged."""
    match = _VERP.match(address.strip().strip("<>"))
    if match is None:
        return None
    message = db.session.get(MailMessage, int(match["id"]))
    if message is None or not message.token_key or \
            not hmac.compare_digest(match["sig"].lower(), _proof(message, "verp")[:12]):
        return None
    return message
