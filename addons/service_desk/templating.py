"""Placeholders in canned responses, rendered in the kernel's user-template sandbox
(core.templating) over dictionaries of a few plain values, never records: an unknown
placeholder renders as nothing.
"""
from __future__ import annotations

from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from core.records.errors import ValidationFailed
from core.templating import check_user_template, render_user_template
from core.templating.limits import template_limits

__all__ = ["check_template", "render_template_text", "placeholders_for"]

def check_template(text: str | None, field_name: str) -> None:
    """ValidationFailed naming `field_name` and the line if `text` does not parse."""
    try:
        check_user_template(text or "", html=False, limits=template_limits(), strict=False)
    except TemplateSyntaxError as error:
        raise ValidationFailed({field_name: [f"Line {error.lineno}: {error.message}"]}) from None
    except TemplateError as error:
        raise ValidationFailed({field_name: [str(error)]}) from None


def render_template_text(text: str, values: dict[str, Any]) -> str:
    """`text` with its placeholders filled from `values`; a template that does not parse,
    or reaches for what the sandbox forbids, is a ValidationFailed on `body`."""
    try:
        return render_user_template(text, values, html=False, limits=template_limits(), strict=False)
    except TemplateSyntaxError as error:
        raise ValidationFailed({"body": [f"Line {error.lineno}: {error.message}"]}) from None
    except TemplateError as error:
        raise ValidationFailed({"body": [f"The template cannot be filled in: {error}"]}) from None


def placeholders_for(env: Any, ticket: Any) -> dict[str, Any]:
    """The values a canned response may use for `ticket`, answered by `env`'s user."""
    from addons.service_desk.models.tickets import STATUSES

    records = env.sudo().records
    contact = records.get("contacts", ticket.contact_id) if ticket.contact_id else None
    account = records.get("accounts", ticket.account_id) if ticket.account_id else None
    return {
        "ticket": {
            "number": ticket.number, "subject": ticket.subject, "status": dict(STATUSES).get(ticket.status),
            "priority": ticket.priority, "url": f"/portal/tickets/{ticket.id}",
        },
        "contact": {
            "first_name": contact.first_name if contact else "", "last_name": contact.last_name if contact else "",
            "full_name": contact.full_name if contact else "", "email": contact.email if contact else "",
        },
        "account": {"name": account.name if account else ""},
        "agent": {"name": env.user.name if env.user is not None else "", "email": env.user.email if env.user else ""},
    }
