"""A campaign email for one contact: its subject and HTML rendered in the user-template
sandbox with the contact, their account and the campaign, and every link carrying the
campaign's UTM parameters."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import TemplateError
from markupsafe import Markup

from core.env import Env
from core.records.errors import ValidationFailed
from core.templating import RecordView, render_user_template
from core.templating.limits import template_limits

from addons.campaigns.models import Campaign, CampaignMessage

__all__ = ["RenderedEmail", "render_email", "with_utm"]

_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://.*?)\2""", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class RenderedEmail:
    """What one contact receives: the subject and the HTML (safe to put in a template)."""

    subject: str
    html: Markup


def render_email(env: Env, message: CampaignMessage, contact: Any, variant: str | None = None) -> RenderedEmail:
    """Render `message` (its variant B parts when `variant` is "b") for `contact` as
    `env`'s user. A field the template names that the contact lacks renders as nothing,
    so `{{ contact.first_name or 'there' }}` is the fallback; a template that fails is a
    ValidationFailed naming the part."""
    subject = (message.variant_subject if variant == "b" and message.variant_subject else message.subject) or ""
    body = (message.variant_body if variant == "b" and message.variant_body else message.body) or ""
    view = RecordView(env, "contacts", contact)
    context = {"contact": view, "account": view.account, "campaign": {"name": message.campaign.name}}
    limits = template_limits()
    parts: dict[str, str] = {}
    for part, source, is_html in (("subject", subject, False), ("body", body, True)):
        try:
            parts[part] = render_user_template(source, context, html=is_html, limits=limits, strict=False)
        except TemplateError as error:
            raise ValidationFailed({part: [f"the template does not render: {error}"]}) from None
    return RenderedEmail(" ".join(parts["subject"].split()), Markup(with_utm(parts["body"], message.campaign)))


def with_utm(body: str, campaign: Campaign) -> str:
    """Every http(s) link of `body` with the campaign's utm_source, utm_medium and
    utm_campaign added (values a link sets itself are kept)."""
    utm = {"utm_source": campaign.utm_source or "spectrum", "utm_medium": campaign.utm_medium or "email",
           "utm_campaign": campaign.utm_campaign or ""}

    def replace(match: re.Match[str]) -> str:
        parts = urlsplit(html.unescape(match.group(3)))
        query = parse_qsl(parts.query, keep_blank_values=True)
        present = {key for key, _ in query}
        query += [(key, value) for key, value in utm.items() if value and key not in present]
        url = urlunsplit(parts._replace(query=urlencode(query)))
        return f"{match.group(1)}{match.group(2)}{html.escape(url)}{match.group(2)}"

    return _LINK.sub(replace, body)
