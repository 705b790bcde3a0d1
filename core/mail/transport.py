"""Handing a message to the SMTP server configured in settings (smtp_*)."""
from __future__ import annotations

import re
import smtplib
import ssl
from typing import Any, Mapping

__all__ = ["deliver", "TemporaryFailure", "PermanentFailure"]

_QUEUED_AS = re.compile(r"queued as\s+(\S+)", re.IGNORECASE)


class TemporaryFailure(Exception):
    """The server said "try later" (4xx) or could not be reached: worth retrying."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


def _connect(settings: Mapping[str, Any]) -> smtplib.SMTP:
    host, port, timeout = settings["smtp_host"], int(settings["smtp_port"]), int(settings["smtp_timeout"])
    if settings["smtp_ssl"]:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    connection = smtplib.SMTP(host, port, timeout=timeout)
    if settings["smtp_starttls"]:
        connection.starttls(context=ssl.create_default_context())
    return connection


def deliver(settings: Mapping[str, Any], message: bytes, envelope_from: str, recipient: str) -> str:
    """Send `message` (RFC 5322 bytes with CRLF line ends) to `recipient`; returns the
    server's id for it (or its reply).

    :raises TemporaryFailure: a 4xx reply, a dropped connection or an unreachable server.
    :raises PermanentFailure: a 5xx reply (bad address, rejected content, bad credentials).
    """
    try:
        with _connect(settings) as connection:
            connection.ehlo_or_helo_if_needed()
            if settings["smtp_user"]:
                connection.login(settings["smtp_user"], settings["smtp_password"])
            code, reply = connection.mail(envelope_from)
            _check(code, reply, "MAIL FROM")
            code, reply = connection.rcpt(recipient)
            _check(code, reply, f"RCPT TO {recipient}")
            code, reply = connection.data(message)
            _check(code, reply, "DATA")
    except smtplib.SMTPResponseException as error:
        _check(error.smtp_code, error.smtp_error, "SMTP")
        raise
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"{settings['smtp_host']}:{settings['smtp_port']}: {type(error).__name__}: {error}") from error
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    found = _QUEUED_AS.search(text)
    return (found.group(1) if found else text)[:255]


def _check(code: int, reply: Any, step: str) -> None:
    if 200 <= code < 400:
        return
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    failure = TemporaryFailure if 400 <= code < 500 else PermanentFailure
    raise failure(f"{step}: {code} {text}")
