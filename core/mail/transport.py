"""Handing messages to the SMTP server configured in settings (smtp_*).

`SmtpSession` keeps one connection open for many messages (a batch) and opens it again
when the server dropped it between two messages; `deliver` sends one message on a
connection of its own. Each message gets its own answer: a 4xx reply (or a connection
lost while it was being sent) is a `TemporaryFailure` of that message, a 5xx reply a
`PermanentFailure`; the session goes on with the next message either way.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from types import TracebackType
from typing import Any, Mapping

from core.mail.addresses import is_plain

__all__ = ["SmtpSession", "deliver", "TemporaryFailure", "PermanentFailure", "Unreachable"]

_QUEUED_AS = re.compile(r"queued as\s+(\S+)", re.IGNORECASE)


class TemporaryFailure(Exception):
    """The server said "try later" (4xx) or could not be reached: worth retrying."""


class Unreachable(TemporaryFailure):
    """No connection could be opened (or greeted): the messages after this one would fare no better."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


class SmtpSession:
    """One SMTP connection reused for many messages; use it as a context manager.

    The connection opens (and logs in) with the first message. A connection the server
    closed while idle is opened again, once, before a message's first command; one lost
    after that is the message's TemporaryFailure (the server may not have it), and the
    next message opens a new one.
    """

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT (if the server still listens) and close the connection."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def send(self, message: bytes, envelope_from: str, recipient: str) -> str:
        """Send `message` (RFC 5322 bytes with CRLF line ends) to `recipient`; returns the
        server's id for it (or its reply).

        :raises Unreachable: no connection could be opened, greeted or logged in to.
        :raises TemporaryFailure: a 4xx reply or a connection dropped while sending.
        :raises PermanentFailure: a 5xx reply (bad address, rejected content).
        """
        reused = self._connection is not None
        try:
            connection = self._open()
        except (smtplib.SMTPException, OSError) as error:
            raise Unreachable(f"{self.settings['smtp_host']}:{self.settings['smtp_port']}: "
                              f"{type(error).__name__}: {error}") from error
        try:
            try:
                code, reply = _mail(connection, envelope_from)
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                self._drop()  # closed while idle: nothing of this message was sent yet
                connection = self._open()
                code, reply = _mail(connection, envelope_from)
            self._check(connection, code, reply, "MAIL FROM")
            code, reply = _rcpt(connection, recipient)
            self._check(connection, code, reply, f"RCPT TO {recipient}")
            code, reply = connection.data(message)
            self._check(connection, code, reply, "DATA")
        except smtplib.SMTPResponseException as error:  # a command refused outside a reply we check
            self._drop()
            raise _failure(error.smtp_code, error.smtp_error, "SMTP") from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise TemporaryFailure(f"{self.settings['smtp_host']}:{self.settings['smtp_port']}: "
                                   f"{type(error).__name__}: {error}") from error
        text = _text(reply)
        found = _QUEUED_AS.search(text)
        return (found.group(1) if found else text)[:255]

    def _open(self) -> smtplib.SMTP:
        if self._connection is None:
            connection = _connect(self.settings)
            try:
                connection.ehlo_or_helo_if_needed()
                if self.settings["smtp_user"]:
                    connection.login(self.settings["smtp_user"], self.settings["smtp_password"])
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _check(self, connection: smtplib.SMTP, code: int, reply: Any, step: str) -> None:
        """Nothing for a 2xx/3xx reply; else reset the transaction (so the connection
        serves the next message) and raise the reply's failure."""
        if 200 <= code < 400:
            return
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
        raise _failure(code, reply, step)


def deliver(settings: Mapping[str, Any], message: bytes, envelope_from: str, recipient: str) -> str:
    """Send one message on a connection of its own (`SmtpSession.send`)."""
    with SmtpSession(settings) as session:
        return session.send(message, envelope_from, recipient)


def _mail(connection: smtplib.SMTP, sender: str) -> tuple[int, bytes]:
    """MAIL FROM as `smtplib.SMTP.mail` writes it; a plain address skips its address parser."""
    return connection.docmd("mail", f"FROM:<{sender}>") if is_plain(sender) else connection.mail(sender)


def _rcpt(connection: smtplib.SMTP, recipient: str) -> tuple[int, bytes]:
    """RCPT TO as `smtplib.SMTP.rcpt` writes it; a plain address skips its address parser."""
    return connection.docmd("rcpt", f"TO:<{recipient}>") if is_plain(recipient) else connection.rcpt(recipient)


def _connect(settings: Mapping[str, Any]) -> smtplib.SMTP:
    host, port, timeout = settings["smtp_host"], int(settings["smtp_port"]), int(settings["smtp_timeout"])
    if settings["smtp_ssl"]:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    connection = smtplib.SMTP(host, port, timeout=timeout)
    if settings["smtp_starttls"]:
        connection.starttls(context=ssl.create_default_context())
    return connection


def _text(reply: Any) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _failure(code: int, reply: Any, step: str) -> TemporaryFailure | PermanentFailure:
    failure = TemporaryFailure if 400 <= code < 500 else PermanentFailure
    return failure(f"{step}: {code} {_text(reply)}")
