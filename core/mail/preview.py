"""Previewing a template for a record and a recipient, exactly as it would be sent."""
from __future__ import annotations

from core.env import Env
from core.mail.templates import Rendered, find_template, message_context, render
from core.records.errors import ValidationFailed

__all__ = ["preview"]


def preview(env: Env, *, template: str | None = None, subject: str | None = None, html: str | None = None,
            text: str | None = None, record: tuple[str, int] | None = None,
            recipient: tuple[str, int] | None = None, to: str = "recipient@example.com",
            to_name: str | None = None) -> Rendered:
    """Render without logging or sending anything; links are shown untracked.

    Previewing is for those who write templates (update access to mail templates), not
    for everyone who may pick one: a preview renders any source it is given.
    """
    env.policy.require("mail_templates", "update")
    if template is not None:
        found = find_template(template)
        subject, html, text = found.subject, found.body_html, found.body_text
    if not subject:
        raise ValidationFailed({"template": ["give a template name, or at least a subject"]})
    context = message_context(env, record=record, recipient=recipient, to=to, to_name=to_name,
                              unsubscribe_url="#unsubscribe-preview")
    return render(subject, html, text, context)
