"""Rendering mail in the user-template sandbox: the record and recipient as read-only views."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from jinja2 import TemplateError
from sqlalchemy import select

from core.db import db
from core.declarations import DataRecord
from core.mail.models import MailTemplate
from core.records.errors import ValidationFailed
from core.templating import ReadOnlyView, RecordView, render_user_template
from core.templating.limits import template_limits

if TYPE_CHECKING:
    from core.env import Env

__all__ = ["Rendered", "Recipient", "message_context", "render", "find_template", "mail_template"]


class Recipient(ReadOnlyView):
    """`recipient` in a template: `email`, `name`, then the fields of the recipient's record."""

    __slots__ = ("email", "name", "_record")

    def __init__(self, email: str, name: str | None, record: RecordView | None) -> None:
        self.email, self.name, self._record = email, name or "", record

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self._record is None:
            raise AttributeError(name)
        return getattr(self._record, name)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Rendered:
    """A rendered message."""

    subject: str
    html: str | None
    text: str | None


def message_context(env: Env, *, record: tuple[str, int] | None, recipient: tuple[str, int] | None, to: str,
                    to_name: str | None, unsubscribe_url: str) -> dict[str, Any]:
    """What a mail template sees: `record` and `recipient` read as `env`'s user (NotFound
    if they may not read them), and `unsubscribe_url`."""
    record_view = RecordView.of(env, *record) if record else None
    recipient_view = RecordView.of(env, *recipient) if recipient else None
    return {"record": record_view, "recipient": Recipient(to, to_name, recipient_view),
            "unsubscribe_url": unsubscribe_url}


def find_template(name: str) -> MailTemplate:
    """The template called `name`, or a ValidationFailed naming it."""
    template = db.session.scalar(select(MailTemplate).where(MailTemplate.name == name))
    if template is None:
        raise ValidationFailed({"template": [f"no mail template named {name!r}; see /api/v1/mail_templates"]})
    return template


def render(subject: str, html: str | None, text: str | None, context: Mapping[str, Any]) -> Rendered:
    """Render the three parts with `context` (read-only views and plain values) in the
    user-template sandbox; a template error is a ValidationFailed naming the part."""
    limits = template_limits()
    parts: dict[str, str | None] = {}
    for part, source, is_html in (("subject", subject, False), ("body_html", html, True), ("body_text", text, False)):
        if source is None or source == "":
            parts[part] = None
            continue
        try:
            parts[part] = render_user_template(source, context, html=is_html, limits=limits)
        except TemplateError as error:
            raise ValidationFailed({part: [f"the template does not render: {error}"]}) from None
    return Rendered(subject=" ".join((parts["subject"] or "").split()), html=parts["body_html"],
                    text=parts["body_text"])


def mail_template(xid: str, name: str, *, subject: str, html: str | None = None, text: str | None = None,
                  model: str | None = None, description: str | None = None) -> DataRecord:
    """A template an addon ships through `register_data` (kept as the admin edits it)."""
    return DataRecord(xid, "mail_templates", {
        "name": name, "subject": subject, "body_html": html, "body_text": text, "model": model,
        "description": description,
    }, noupdate=True)
