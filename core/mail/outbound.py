"""Logging mail to send: `send_mail` (one message) and `send_mails` (a batch) render,
check consent, write the log rows and queue the `mail.send` job (core.mail.delivery),
which hands them to SMTP; `build_message` makes a row's RFC 5322 message, with the record
files it carries as attachments."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email import policy, quoprimime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import inspect

from core.attachments.service import readable_attachments
from core.env import Env
from core.jobs import enqueue
from core.mail.addresses import address_of
from core.mail.consent import blocking_consents, normalize
from core.mail.models import MailLink, MailMessage
from core.mail.templates import find_template, message_context, render
from core.mail.tracking import add_pixel, track_links, track_text_links, unsubscribe_url
from core.platform import platform
from core.records.bulk import attach_records, insert_records, insert_rows, update_rows
from core.records.errors import ValidationFailed

__all__ = ["OutgoingMail", "send_mail", "send_mails", "build_message", "message_bytes"]

# A header's name (RFC 5322 ftext: printable ASCII but the colon). The email package checks
# values for line breaks but writes names as they are, so a bad name would forge headers.
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")


@dataclass(frozen=True)
class OutgoingMail:
    """One message for `send_mails`: the arguments of `send_mail`, as a value.

    `prerendered` says `subject`, `html` and `text` are the message's final text, not
    templates: nothing is rendered (the caller rendered them per recipient, in the
    sandbox), and `record` and `recipient` are only written on the log row, not read.
    `attachments` are ids of record files (core.attachments) the sender may read: they go
    with the message as attachments, read from the file store when it is sent.
    """

    to: str
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    template: str | None = None
    record: tuple[str, int] | None = None
    recipient: tuple[str, int] | None = None
    to_name: str | None = None
    channel: str = "email"
    track: bool = True
    unsubscribe: bool = False
    headers: Mapping[str, str] | None = None
    values: Mapping[str, str] | None = None
    prerendered: bool = False
    attachments: Sequence[int] = ()


def send_mail(env: Env, to: str, *, subject: str | None = None, html: str | None = None, text: str | None = None,
              template: str | None = None, record: tuple[str, int] | None = None,
              recipient: tuple[str, int] | None = None, to_name: str | None = None, channel: str = "email",
              track: bool = True, unsubscribe: bool = False, headers: Mapping[str, str] | None = None,
              values: Mapping[str, str] | None = None, attachments: Sequence[int] = ()) -> MailMessage:
    """Log a message and queue it for sending; returns the log row (the caller commits).

    The message is rendered now (as `env`'s user: `record` and `recipient` show only what
    they may read) and sent later by the `mail.send` job, so no request waits for SMTP.
    A message to an address whose consent for `channel` is withdrawn or suppressed is
    logged with status `suppressed` and never sent. Many messages at once: `send_mails`.

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
    :param attachments: ids of record files (core.attachments) `env`'s user may read,
        attached to the message (NotFound for one they may not).
    """
    return send_mails(env, [OutgoingMail(to, subject=subject, html=html, text=text, template=template, record=record,
                                         recipient=recipient, to_name=to_name, channel=channel, track=track,
                                         unsubscribe=unsubscribe, headers=headers, values=values,
                                         attachments=attachments)])[0]


def send_mails(env: Env, mails: Sequence[OutgoingMail]) -> list[MailMessage]:
    """Log many messages at once and queue one `mail.send` run for all those to send;
    returns their log rows, in the order of `mails` (the caller commits).

    Each message is logged as `send_mail` logs one (suppressed when consent forbids it,
    rendered, links tracked), with a constant number of statements for the batch: one
    query for consent, one INSERT of the rows, one UPDATE of their rendered parts and
    one INSERT of their tracked links. A mail that is not valid (an address, a header
    name, no body) is a ValidationFailed naming it, and nothing is logged.
    """
    if not mails:
        return []
    addresses = [normalize(address_of(mail.to) or mail.to) for mail in mails]
    _validate(mails, addresses)
    readable_attachments(env, [file_id for mail in mails for file_id in mail.attachments])
    contexts = [None if mail.prerendered else _context(env, mail, address) for mail, address in zip(mails, addresses)]
    sources = _sources(mails)
    blocked = blocking_consents(zip(addresses, (mail.channel for mail in mails)))
    settings = platform().settings
    now = env.now()
    author = env.user.id if env.user else None
    domain = (address_of(settings["mail_from"]) or "localhost").rsplit("@", 1)[-1]
    messages = []
    for mail, address, (subject, html, text) in zip(mails, addresses, sources):
        message = MailMessage(
            to_address=address, to_name=mail.to_name, from_address=settings["mail_from"], subject=subject,
            body_html=html if mail.prerendered else None, body_text=text if mail.prerendered else None,
            channel=mail.channel, status="queued", template=mail.template,
            related_model=mail.record[0] if mail.record else None, related_id=mail.record[1] if mail.record else None,
            recipient_model=mail.recipient[0] if mail.recipient else None,
            recipient_id=mail.recipient[1] if mail.recipient else None,
            message_id=f"<{uuid.uuid4().hex}@{domain}>", extra_headers=dict(mail.headers or {}),
            attachment_ids=list(mail.attachments) or None,
            tracking=mail.track, unsubscribe=mail.unsubscribe, attempts=0, error=None,
            created_at=now, updated_at=now, created_by=author, updated_by=author)
        consent = blocked.get((address, mail.channel))
        if consent is not None:
            message.status = "suppressed"
            message.error = (f"consent {consent.state} for {consent.channel} "
                             f"({consent.reason or consent.source or 'no reason'})")
        messages.append(message)
    meta = env.records.meta("mail_messages")
    insert_records(meta, messages)  # gives each its id and token key: the links and the unsubscribe URL need them
    _finish_parts(mails, messages, contexts, sources)
    attach_records(meta, messages)
    queued = [message.id for message in messages if message.status == "queued"]
    if queued:
        enqueue("mail.send", {"message_ids": queued})
    return messages


def _validate(mails: Sequence[OutgoingMail], addresses: Sequence[str]) -> None:
    errors: dict[str, list[str]] = {}
    prefix = (lambda n: f"mail {n + 1}: ") if len(mails) > 1 else (lambda n: "")
    for number, (mail, address) in enumerate(zip(mails, addresses)):
        if "@" not in address:
            errors.setdefault("to", []).append(f"{prefix(number)}{mail.to!r} is not an email address")
        errors.setdefault("headers", []).extend(f"{prefix(number)}{name!r} is not a header name"
                                                for name in (mail.headers or {}) if not _HEADER_NAME.match(name))
    errors = {key: value for key, value in errors.items() if value}
    if "to" in errors:
        raise ValidationFailed({"to": errors["to"]})
    if errors:
        raise ValidationFailed(errors)


def _context(env: Env, mail: OutgoingMail, address: str) -> dict[str, Any]:
    """What the mail's templates see (NotFound when `env`'s user may not read its record or recipient)."""
    context = message_context(env, record=mail.record, recipient=mail.recipient, to=address, to_name=mail.to_name,
                              unsubscribe_url="")
    context["values"] = dict(mail.values or {})
    return context


def _sources(mails: Sequence[OutgoingMail]) -> list[tuple[str, str | None, str | None]]:
    """Each mail's subject, HTML and text: its template's (read once per name) or its own."""
    templates = {name: find_template(name) for name in dict.fromkeys(mail.template for mail in mails if mail.template)}
    sources = []
    for mail in mails:
        if mail.template is not None:
            found = templates[mail.template]
            subject, html, text = found.subject, found.body_html, found.body_text
        else:
            subject, html, text = mail.subject, mail.html, mail.text
        if not subject or not (html or text):
            raise ValidationFailed({"template": ["give a template, or a subject and an html or text body"]})
        sources.append((subject, html, text))
    return sources


def _finish_parts(mails: Sequence[OutgoingMail], messages: Sequence[MailMessage],
                  contexts: Sequence[dict[str, Any] | None],
                  sources: Sequence[tuple[str, str | None, str | None]]) -> None:
    """Render the parts of the inserted messages to send (now that the unsubscribe URL
    exists), track their links and add the pixel; write them with one UPDATE and their
    links with one INSERT. Values go into the records' state, read as loaded once attached."""
    parts: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for mail, message, context, (subject, html, text) in zip(mails, messages, contexts, sources):
        if message.status != "queued":
            continue
        if context is not None:
            if mail.unsubscribe:
                context["unsubscribe_url"] = unsubscribe_url(message)
            rendered = render(subject, html, text, context)
            subject, html, text = rendered.subject, rendered.html, rendered.text
        elif not (html and mail.track):
            continue  # prerendered and untracked: inserted as it is
        if html and mail.track:
            html, positions = track_links(html, message)
            text = track_text_links(text, message, positions) if text else text
            html = add_pixel(html, message)
            links += [{"message_id": message.id, "position": position, "url": url, "click_count": 0, "version": 1,
                       "created_at": message.created_at, "updated_at": message.created_at,
                       "created_by": message.created_by, "updated_by": message.created_by}
                      for url, position in positions.items()]
        state = inspect(message).dict
        state["subject"], state["body_html"], state["body_text"] = subject, html, text
        parts.append({"id": message.id, "subject": subject, "body_html": html, "body_text": text})
    update_rows(MailMessage.__table__, parts)
    insert_rows(MailLink.__table__, links)


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


def build_message(message: MailMessage, files: Sequence[tuple[str, str, bytes]] = ()) -> EmailMessage:
    """The RFC 5322 message of a log row: headers, text and HTML parts, and `files`
    ((file name, media type, contents) of its `attachment_ids`) attached.

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
    for filename, media_type, data in files:
        main, _, sub = media_type.partition("/")
        email.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=filename)
    return email


# What `message_bytes` writes itself: printable ASCII on one line (no control character,
# nothing to encode), a plain addr-spec, and a display name of atext words and spaces
# (written as it is) or of printable ASCII but quotes and backslashes (quoted).
_PLAIN = re.compile(r"^[ -~]*$")
_ADDR_SPEC = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")
_ATOMS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$")
_QUOTABLE = re.compile(r'^[ !#-\[\]-~]*$')
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def message_bytes(message: MailMessage, files: Sequence[tuple[str, str, bytes]] = ()) -> bytes:
    """The bytes `build_message(message, files).as_bytes()` stands for, written directly
    when every header is plain ASCII and nothing is attached (as campaign mail is: ten
    times faster than the email package), else by `build_message`. The same rules hold
    either way: no header carries a line break, names are checked, and what is not plain
    takes the email package's path (RFC 2047 words, quoted addresses) and its errors."""
    if files:
        return build_message(message, files).as_bytes()
    headers = [(name, _header_value(name, value)) for name, value in (message.extra_headers or {}).items()]
    for name, _value in headers:
        if not _HEADER_NAME.match(name):
            raise ValueError(f"{name!r} is not a header name")
    to_name = _one_line(message.to_name or "")
    if _ATOMS.match(to_name):
        to = f"{to_name} <{message.to_address}>" if to_name else message.to_address
    elif _QUOTABLE.match(to_name):
        to = f'"{to_name}" <{message.to_address}>'
    else:
        return build_message(message).as_bytes()
    lines = [("From", _one_line(message.from_address)), ("To", to), ("Subject", _one_line(message.subject)),
             ("Date", format_datetime(platform().clock.now())),
             ("Message-ID", _header_value("Message-ID", message.message_id))]
    if message.unsubscribe:
        lines += [("List-Unsubscribe", f"<{unsubscribe_url(message)}>"),
                  ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    lines += [(name, value) for name, value in headers if value]
    too_long = any(len(name) + 2 + len(value) > _POLICY.max_line_length for name, value in lines)
    if too_long or not _ADDR_SPEC.match(message.to_address) or any(not _PLAIN.match(value) for _name, value in lines):
        return build_message(message).as_bytes()
    head = "".join(f"{name}: {value}\r\n" for name, value in lines)
    if message.body_text and message.body_html:
        boundary = f"=============={uuid.uuid4().hex}=="
        body = (f"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n"
                f"--{boundary}\r\n{_part(message.body_text, 'plain')}\r\n--{boundary}\r\n"
                f"{_part(message.body_html, 'html')}\r\n--{boundary}--\r\n")  # a delimiter's CRLF is its own
    elif message.body_text:
        body = _part(message.body_text, "plain", mime_version=True)
    else:
        body = _part(message.body_html or "", "html", mime_version=True)
    return (head + body).encode("utf-8")


def _part(content: str, subtype: str, *, mime_version: bool = False) -> str:
    """A text part's headers and body: 7bit when it is ASCII in short lines (as the email
    package's content manager decides), else quoted-printable UTF-8."""
    lines = _LINE_BREAKS.split(content)
    if lines and lines[-1] == "":
        lines.pop()
    if content.isascii() and all(len(line) <= _POLICY.max_line_length for line in lines):
        encoding, body = "7bit", "".join(f"{line}\r\n" for line in lines)
    else:
        encoding = "quoted-printable"
        utf8 = ("\n".join(lines) + "\n").encode("utf-8").decode("latin-1")  # quoprimime encodes one byte per char
        body = quoprimime.body_encode(utf8, _POLICY.max_line_length).replace("\n", "\r\n")
        body = body if body.endswith("\r\n") else body + "\r\n"
    version = "MIME-Version: 1.0\r\n" if mime_version else ""
    return (f"Content-Type: text/{subtype}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: {encoding}\r\n"
            f"{version}\r\n{body}")
