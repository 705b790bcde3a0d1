"""Rendering mail with sandboxed Jinja2: the record and recipient as safe, read-only views."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from core.db import db
from core.declarations import DataRecord
from core.env import Env
from core.mail.models import MailTemplate
from core.records.errors import NotFound, ValidationFailed

__all__ = ["Rendered", "RecordView", "Recipient", "render", "find_template", "mail_template"]


def _finalize(value: Any) -> Any:
    return "" if value is None else value


# Sandboxed: a template edited by an administrator can read the values it is given and
# nothing else (no attribute starting with "_", no unsafe calls).
_html = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
_text = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, finalize=_finalize,
                             keep_trailing_newline=True)


@dataclass(frozen=True)
class Rendered:
    """A rendered message."""

    subject: str
    html: str | None
    text: str | None


class RecordView:
    """A record as a template sees it: the fields the acting user may read, and many2one
    relations followed by their name without `_id` (`record.account.name`)."""

    def __init__(self, env: Env, resource: str, record: Any) -> None:
        self._env, self._resource, self._record = env, resource, record
        self._readable = set(env.records.readable_fields(resource))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "display_name":
            return self._record.display_name
        if name in self._readable:
            return getattr(self._record, name)
        meta = self._env.records.meta(self._resource)
        link = meta.fields.get(f"{name}_id")
        if link is not None and link.relation and f"{name}_id" in self._readable:
            target_id = getattr(self._record, f"{name}_id")
            if target_id is None:
                return None
            target = self._env.platform.models.by_table(link.relation)
            if target is None:
                raise AttributeError(name)
            try:
                return RecordView(self._env, target, self._env.records.get(target, target_id))
            except NotFound:
                return None
        raise AttributeError(f"{self._resource} has no readable field {name!r}")

    def __str__(self) -> str:
        return self._record.display_name


class Recipient:
    """`recipient` in a template: `email`, `name`, then the fields of the recipient's record."""

    def __init__(self, email: str, name: str | None, record: RecordView | None) -> None:
        self.email, self.name, self._record = email, name or "", record

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self._record is None:
            raise AttributeError(name)
        return getattr(self._record, name)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def find_template(name: str) -> MailTemplate:
    """The template called `name`, or a ValidationFailed naming it."""
    template = db.session.scalar(select(MailTemplate).where(MailTemplate.name == name))
    if template is None:
        raise ValidationFailed({"template": [f"no mail template named {name!r}; see /api/v1/mail_templates"]})
    return template


def render(subject: str, html: str | None, text: str | None, context: Mapping[str, Any]) -> Rendered:
    """Render the three parts with `context`; a template error is a ValidationFailed naming the part."""
    parts: dict[str, str | None] = {}
    for part, source, environment in (("subject", subject, _text), ("body_html", html, _html),
                                      ("body_text", text, _text)):
        if source is None or source == "":
            parts[part] = None
            continue
        try:
            parts[part] = environment.from_string(source).render(**context)
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
