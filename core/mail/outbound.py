"""Sending mail: `send_mail` logs and queues a message; the `mail.send` job hands it to SMTP."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Mapping

from core.db import db
from core.declarations import Job
from core.env import Env
from core.events import emit
from core.jobs import GiveUp, JobContext, JobRun, Retry, enqueue
from core.mail import signals
from core.mail.consent import blocking_consent, normalize
from core.mail.models import MailMessage
from core.mail.templates import find_template, message_context, render
from core.mail.tokens import verp_address
from core.mail.tracking import add_pixel, rewrite_links, unsubscribe_url
from core.mail.transport import PermanentFailure, TemporaryFailure, deliver
from core.platform import platform
from core.records.errors import ValidationFailed

__all__ = ["send_mail", "build_message", "mail_jobs"]

# A header's name (RFC 5322 ftext: printable ASCII but the colon). The email package checks
# values for line breaks but writes names as they are, so a bad name would forge headers.
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")


def send_mail(env: Env, to: str, *, subject: str | None = None, html: str | None = None, text: str | None = None,
              template: str | None = None, record: tuple[str, int] | None = None,
              recipient: tuple[str, int] | None = None, to_name: str | None = None, channel: str = "email",
              track: bool = True, unsubscribe: bool = False, headers: Mapping[str, str] | None = None,
              values: Mapping[str, str] | None = None) -> MailMessage:
    """Log a message and queue it for sending; returns the log row (the caller commits).

    The message is rendered now (as `env`'s user: `record` and `recipient` show only what
    they may read) and sent later by the `mail.send` job, so no request waits for SMTP.
    A message to an address whose consent for `channel` is withdrawn or suppressed is
    logged with status `suppressed` and never sent.

    :param template: name of a `MailTemplate`; else give `subject` and `html` and/or `text`
        (Jinja2 sources too, rendered with the same placeholders).
    :param record: (resource, id) the message is about: the `record` placeholder.
    :param recipient: (resource, id) of the recipient (a contact): `recipient.<field>`.
    :param channel: consent channel, such as `email.marketing` for campaigns.
    :param track: rewrite links and add the open pixel (HTML part only).
    :param unsubscribe: add the unsubscribe link and `List-Unsubscribe` headers.
    :param headers: more headers (names as RFC 5322 allows them; values on one line).
    :param values: plain text the templates show as `values.<name>`. What a user wrote (a
        note, a record's name) goes in here and the template names it: text put into the
        template's source would run as template code.
    """
    address = normalize(parseaddr(to)[1] or to)
    if "@" not in address:
        raise ValidationFailed({"to": [f"{to!r} is not an email address"]})
    bad_names = [name for name in (headers or {}) if not _HEADER_NAME.match(name)]
    if bad_names:
        raise ValidationFailed({"headers": [f"{name!r} is not a header name" for name in bad_names]})
    context = message_context(env, record=record, recipient=recipient, to=address, to_name=to_name,
                              unsubscribe_url="")
    context["values"] = dict(values or {})
    if template is not None:
        found = find_template(template)
        subject, html, text = found.subject, found.body_html, found.body_text
    if not subject or not (html or text):
        raise ValidationFailed({"template": ["give a template, or a subject and an html or text body"]})
    settings = platform().settings
    message = MailMessage(
        to_address=address, to_name=to_name, from_address=settings["mail_from"], subject=subject, channel=channel,
        status="queued", template=template, related_model=record[0] if record else None,
        related_id=record[1] if record else None, recipient_model=recipient[0] if recipient else None,
        recipient_id=recipient[1] if recipient else None, message_id=_new_message_id(settings["mail_from"]),
        extra_headers=dict(headers or {}), tracking=track, unsubscribe=unsubscribe, attempts=0,
    )
    now = env.now()
    message.created_at = message.updated_at = now
    message.created_by = message.updated_by = env.user.id if env.user else None
    db.session.add(message)
    db.session.flush()
    blocked = blocking_consent(address, channel)
    if blocked is not None:
        message.status = "suppressed"
        message.error = f"consent {blocked.state} for {blocked.channel} ({blocked.reason or blocked.source or 'no reason'})"
        db.session.flush()
        return message
    if unsubscribe:
        context["unsubscribe_url"] = unsubscribe_url(message)
    rendered = render(subject, html, text, context)
    body_html = rendered.html
    if body_html and track:
        body_html = add_pixel(rewrite_links(body_html, message), message)
    message.subject, message.body_html, message.body_text = rendered.subject, body_html, rendered.text
    db.session.flush()
    enqueue("mail.send", {"message_id": message.id})
    return message


def _new_message_id(sender: str) -> str:
    domain = (parseaddr(sender)[1] or "localhost").rsplit("@", 1)[-1]
    return f"<{uuid.uuid4().hex}@{domain}>"


# Longer lines than the default 78: the unsubscribe URL in List-Unsubscribe must stay one
# plain token (a header that cannot be folded gets RFC 2047-encoded, which clients do not
# read there); bodies with longer lines are sent quoted-printable. CRLF line ends, as
# SMTP wants them (smtplib sends bytes as they are).
_POLICY = policy.SMTP.clone(max_line_length=200)
# Headers made of Message-IDs only; anything between the ids is dropped.
_ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def _one_line(value: object) -> str:
    """The value with every run of white space, line breaks included, as one space."""
    return " ".join(str(value).split())


def _header_value(name: str, value: object) -> str:
    if name.lower() in _ID_HEADERS:
        return " ".join(_MESSAGE_ID.findall(str(value)))
    return _one_line(value)


def build_message(message: MailMessage) -> EmailMessage:
    """The RFC 5322 message of a log row: headers, text and HTML parts.

    Whatever the row holds, no header carries a line break: names, addresses and the
    subject are read as one line, and Message-ID lists keep only their ids. A row that
    still makes no message (an address or a header name that is not one) raises
    ValueError or `email.errors.MessageError`.
    """
    email = EmailMessage(policy=_POLICY)
    email["From"] = _one_line(message.from_address)
    email["To"] = Address(display_name=_one_line(message.to_name or ""), addr_spec=message.to_address)
    email["Subject"] = _one_line(message.subject)
    email["Date"] = format_datetime(platform().clock.now())
    email["Message-ID"] = _header_value("Message-ID", message.message_id)
    if message.unsubscribe:
        email["List-Unsubscribe"] = f"<{unsubscribe_url(message)}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in (message.extra_headers or {}).items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"{name!r} is not a header name")
        value = _header_value(name, value)
        if value:
            email[name] = value
    if message.body_text:
        email.set_content(message.body_text)
        if message.body_html:
            email.add_alternative(message.body_html, subtype="html")
    else:
        email.set_content(message.body_html or "", subtype="html")
    return email


def _send(ctx: JobContext, message_id: int) -> dict[str, Any]:
    message = db.session.get(MailMessage, message_id)
    if message is None or message.status not in ("queued", "failed"):
        return {"status": message.status if message else "missing"}
    blocked = blocking_consent(message.to_address, message.channel)
    if blocked is not None:  # consent withdrawn while the message waited
        message.status, message.error = "suppressed", f"consent {blocked.state} for {blocked.channel}"
        return {"status": "suppressed"}
    try:
        data = build_message(message).as_bytes()
    except (ValueError, MessageError) as error:  # what the row holds makes no message: retrying cannot help
        message.status, message.error = "failed", f"the message cannot be built: {error}"
        ctx.commit()
        raise GiveUp(message.error) from error
    settings = platform().settings
    envelope_from = verp_address(message) or parseaddr(message.from_address)[1]
    message.attempts += 1
    try:
        provider_id = deliver(settings, data, envelope_from, message.to_address)
    except TemporaryFailure as error:
        message.error = str(error)
        ctx.commit()  # keep the attempt count and error; the job retries with backoff
        raise Retry(str(error)) from error
    except PermanentFailure as error:
        message.status, message.error = "failed", str(error)
        ctx.commit()
        raise GiveUp(str(error)) from error
    now = ctx.now()
    message.status, message.provider_id, message.sent_at, message.error, message.updated_at = \
        "sent", provider_id, now, None, now
    emit(signals.mail_sent, "mail", message=message, env=ctx.env)
    return {"status": "sent", "provider_id": provider_id}


def _send_failed(ctx: JobContext, error: BaseException | None) -> None:
    run = db.session.get(JobRun, ctx.run_id)
    message = db.session.get(MailMessage, (run.payload or {}).get("message_id"))
    if message is not None and message.status == "queued":
        message.status = "failed"
        message.error = message.error or (str(error) if error else "gave up")


def mail_jobs() -> list[Job]:
    """`mail.send`: one message to SMTP, retried on temporary failures."""
    return [Job("mail.send", _send, max_attempts=6, backoff=timedelta(minutes=1), on_failure=_send_failed,
                description="Send one logged message through SMTP.")]
