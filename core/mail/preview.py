"""Previewing a template for a record and a recipient, exactly as it would be sent."""
from __future__ import annotations

from core.env import Env
from core.mail.templates import Recipient, RecordView, Rendered, find_template, render
from core.records.errors import ValidationFailed

__all__ = ["preview"]


def preview(env: Env, *, template: str | None = None, subject: str | None = None, html: str | None = None,
            text: str | None = None, record: tuple[str, int] | None = None,
            recipient: tuple[str, int] | None = None, to: str = "recipient@example.com",
            to_name: str | None = None) -> Rendered:
    """Render without logging or sending anything; links are shown untracked."""
    if template is not None:
        found = find_template(template)
        subject, html, text = found.subject, found.body_html, found.body_text
    if not subject:
        raise ValidationFailed({"template": ["give a template name, or at least a subject"]})
    record_view = RecordView(env, record[0], env.records.get(*record)) if record else None
    recipient_view = RecordView(env, recipient[0], env.records.get(*recipient)) if recipient else None
    context = {"record": record_view, "recipient": Recipient(to, to_name, recipient_view),
               "unsubscribe_url": "#unsubscribe-preview"}
    return render(subject, html, text, context)
