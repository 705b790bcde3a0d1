"""Handing a text message to a transport, chosen by setting `sms_transport`.

`file` (the development default) appends one JSON line per message to `sms_file_path`;
`http` posts to a provider speaking Twilio's Messages API (`sms_http_base_url`), through
core/outbound.py like every request the platform makes to a configured address.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from http.client import HTTPException
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Protocol
from urllib.parse import quote, urlencode

from core.outbound import OutboundRefused, post

__all__ = ["OutgoingSms", "SmsTransport", "FileTransport", "HttpTransport", "transport_for", "TemporaryFailure",
           "PermanentFailure", "file_path"]


class TemporaryFailure(Exception):
    """The provider could not take the message now (5xx, timeout, unreachable): worth retrying."""


class PermanentFailure(Exception):
    """The provider refused the message for good (4xx: bad number, bad credentials): retrying cannot help."""


@dataclass(frozen=True)
class OutgoingSms:
    """What a transport sends: E.164 numbers, the text, and where delivery reports go (or None)."""

    id: int
    to: str
    sender: str
    body: str
    status_callback: str | None
    created_at: datetime


class SmsTransport(Protocol):
    """Something that hands text messages over.

    `send` returns the provider's id of the message; it raises TemporaryFailure when
    trying later may work and PermanentFailure when it cannot.
    """

    def send(self, message: OutgoingSms) -> str:
        ...


def file_path(settings: Mapping[str, Any]) -> Path:
    """`sms_file_path`, else `<instance_path>/sms.jsonl`."""
    return Path(settings["sms_file_path"] or os.path.join(str(settings["instance_path"]), "sms.jsonl"))


class FileTransport:
    """Development: each message is one JSON line appended to a file; nothing leaves the machine."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: OutgoingSms) -> str:
        provider_id = f"file-{message.id}"
        line = {"id": provider_id, "to": message.to, "from": message.sender, "body": message.body,
                "status_callback": message.status_callback, "created_at": message.created_at.isoformat()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as output:
                output.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as error:
            raise TemporaryFailure(f"{self.path}: {error}") from error
        return provider_id


class HttpTransport:
    """A provider with Twilio's Messages API: a form-encoded POST of To, From, Body and
    StatusCallback to `/2010-04-01/Accounts/{account}/Messages.json` with HTTP Basic
    authentication (account:token), answered `{"sid": ..., "status": ...}`; a refusal is a
    4xx with `{"code": ..., "message": ...}`."""

    def __init__(self, base_url: str, account: str, token: str, timeout: float, allowed: list[str]) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{quote(account, safe='')}/Messages.json"
        self.credentials = base64.b64encode(f"{account}:{token}".encode()).decode()
        self.timeout, self.allowed = timeout, allowed

    def send(self, message: OutgoingSms) -> str:
        form = {"To": message.to, "From": message.sender, "Body": message.body}
        if message.status_callback:
            form["StatusCallback"] = message.status_callback
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
                   "Authorization": f"Basic {self.credentials}"}
        try:
            answer = post(self.url, urlencode(form).encode(), headers, timeout=self.timeout, allowed=self.allowed)
        except OutboundRefused as error:
            raise PermanentFailure(f"{self.url}: {error}") from error
        except (OSError, HTTPException) as error:  # timeouts, refused or broken connections
            raise TemporaryFailure(f"{self.url}: {type(error).__name__}: {error}") from error
        data = _json(answer.body)
        if 200 <= answer.status < 300:
            if not data.get("sid"):
                raise TemporaryFailure(f"{answer.status} without a message sid: {answer.body[:200]}")
            return str(data["sid"])[:64]
        detail = f"{answer.status} {data.get('code', '')} {data.get('message') or answer.body[:200]}".strip()
        if 400 <= answer.status < 500 and answer.status != 429:
            raise PermanentFailure(detail)
        raise TemporaryFailure(detail)


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def transport_for(settings: Mapping[str, Any]) -> SmsTransport:
    """The transport setting `sms_transport` names; ValueError for an unknown one."""
    name = settings["sms_transport"]
    if name == "file":
        return FileTransport(file_path(settings))
    if name == "http":
        return HttpTransport(settings["sms_http_base_url"], settings["sms_account"], settings["sms_token"],
                             float(settings["sms_timeout"]), list(settings["outbound_allowed_hosts"]))
    raise ValueError(f"sms_transport {name!r} is neither 'file' nor 'http'")
