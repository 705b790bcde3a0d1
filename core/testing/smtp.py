"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests of anything that sends mail.

    def test_welcome_mail(app, smtp_server):
        smtp_server.configure(app)
        ...
        [received] = smtp_server.messages
        assert received.message["Subject"] == "Welcome"

`smtp_server.fail_next(451, "4.3.0 Try again later")` makes the next transaction fail
with that reply, to test retries; `smtp_server.refuse("bob@example.com", 550, "No such
user")` the next one to that recipient.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

__all__ = ["ReceivedMail", "SmtpServer", "smtp_server"]


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it: envelope and parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    #: The client's (host, port): messages with the same one came over one connection.
    peer: tuple[str, int] | None = None

    @property
    def message(self) -> EmailMessage:
        """The message parsed with the modern email policy."""
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:
        with self.server.lock:
            if self.server.failures:
                return self.server.failures.pop(0)
            refusals = [self.server.refusals.pop(address) for address in envelope.rcpt_tos
                        if address in self.server.refusals]
            if refusals:
                return refusals[0]
            self.server.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                                     tuple(session.peer) if session.peer else None))
            return f"250 2.0.0 Ok: queued as Q{len(self.server.messages):04d}"


class SmtpServer:
    """The running server: where it listens and what it received."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.failures: list[str] = []
        self.refusals: dict[str, str] = {}
        self.lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.host = "127.0.0.1"
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def fail_next(self, code: int, text: str, times: int = 1) -> None:
        """Answer the next `times` messages with `code text` instead of accepting them."""
        with self.lock:
            self.failures.extend([f"{code} {text}"] * times)

    def refuse(self, recipient: str, code: int, text: str) -> None:
        """Answer the next message to `recipient` with `code text` instead of accepting it."""
        with self.lock:
            self.refusals[recipient] = f"{code} {text}"

    @property
    def settings(self) -> dict[str, Any]:
        """Settings that point the platform at this server."""
        return {"smtp_host": self.host, "smtp_port": self.port, "smtp_user": "", "smtp_starttls": False,
                "smtp_ssl": False}

    def configure(self, app: Flask) -> None:
        """Make `app` send its mail here."""
        app.extensions["spectrum"].settings.update(self.settings)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 for this test; `configure(app)` points the app at it."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
