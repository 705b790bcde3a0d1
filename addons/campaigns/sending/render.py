"""A campaign email for one contact: its subject, HTML and plain-text part rendered in the
user-template sandbox with the contact, their account and the campaign; the HTML with its
CSS inlined for mail clients, and every link of both parts carrying the campaign's UTM
parameters."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import TemplateError
from markupsafe import Markup

from core.env import Env
from core.records.errors import ValidationFailed
from core.templating import RecordView, render_user_template
from core.templating.limits import template_limits

from addons.campaigns.models import Campaign, CampaignMessage
from addons.campaigns.sending.parts import html_to_text, inline_css, text_template, tidy_text

__all__ = ["RenderedEmail", "render_email", "message_parts", "with_utm", "text_with_utm"]

_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://.*?)\2""", re.IGNORECASE | re.DOTALL)
# A URL in the text part: up to white space, what closes "[text](url)" and "<url>", or a
# quote; a sentence's closing punctuation is not part of it (as core.mail.tracking reads it).
_TEXT_URL = re.compile(r"""https?://[^\s<>()\[\]"']*[^\s<>()\[\]"'.,;:!?]""")


@dataclass(frozen=True)
class RenderedEmail:
    """What one contact receives: the subject, the HTML (safe to put in a template) and
    the plain-text alternative."""

    subject: str
    html: Markup
    text: str


def message_parts(message: CampaignMessage, variant: str | None = None) -> tuple[str, str]:
    """The subject and body templates of `message`'s variant ("b": its B parts where it has them)."""
    subject = (message.variant_subject if variant == "b" and message.variant_subject else message.subject) or ""
    body = (message.variant_body if variant == "b" and message.variant_body else message.body) or ""
    return subject, body


def render_email(env: Env, message: CampaignMessage, contact: Any, variant: str | None = None,
                 extra: Mapping[str, Any] | None = None) -> RenderedEmail:
    """Render `message` (its variant B parts when `variant` is "b") for `contact` (the
    record, or its `RecordView`, such as `RecordView.many` gives a batch) as `env`'s user.
    A field the template names that the contact lacks renders as nothing, so
    `{{ contact.first_name or 'there' }}` is the fallback; a template that fails is a
    ValidationFailed naming the part. `extra`: more names for the template (what a
    journey member is about: `cart`, `restore_url`), never replacing the contact's."""
    subject, body = message_parts(message, variant)
    view = contact if isinstance(contact, RecordView) else RecordView(env, "contacts", contact)
    context = {**(extra or {}), "contact": view, "account": view.account, "campaign": {"name": message.campaign.name}}
    limits = template_limits()
    text_source = text_template(body)
    parts: dict[str, str] = {}
    for part, source, is_html in (("subject", subject, False), ("body", body, True),
                                  ("text", text_source or "", False)):
        try:
            parts[part] = render_user_template(source, context, html=is_html, limits=limits, strict=False)
        except TemplateError as error:
            raise ValidationFailed({part if part != "text" else "body": [
                f"the template does not render: {error}"]}) from None
    try:
        body_html = inline_css(with_utm(parts["body"], message.campaign))
    except ValueError as error:
        raise ValidationFailed({"body": [str(error)]}) from None
    text = tidy_text(parts["text"]) if text_source is not None else html_to_text(body_html)
    return RenderedEmail(" ".join(parts["subject"].split()), Markup(body_html),
                         text_with_utm(text, message.campaign))


def _utm(campaign: Campaign) -> tuple[tuple[str, str], ...]:
    return (("utm_source", campaign.utm_source or "spectrum"), ("utm_medium", campaign.utm_medium or "email"),
            ("utm_campaign", campaign.utm_campaign or ""))


# Remembered: a template's links are the same for each of its thousands of contacts, and
# parsing and encoding them again cost more than the rest of the rendering.
@lru_cache(maxsize=4096)
def _tagged(url: str, utm: tuple[tuple[str, str], ...]) -> str:
    """`url` with the UTM values it does not set itself."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    query += [(key, value) for key, value in utm if value and key not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def with_utm(body: str, campaign: Campaign) -> str:
    """Every http(s) link of `body` with the campaign's utm_source, utm_medium and
    utm_campaign added (values a link sets itself are kept)."""
    utm = _utm(campaign)

    def replace(match: re.Match[str]) -> str:
        url = _tagged(html.unescape(match.group(3)), utm)
        return f"{match.group(1)}{match.group(2)}{html.escape(url)}{match.group(2)}"

    return _LINK.sub(replace, body)


def text_with_utm(text: str, campaign: Campaign) -> str:
    """Every http(s) URL of the plain text `text` with the campaign's UTM values added."""
    utm = _utm(campaign)
    return _TEXT_URL.sub(lambda match: _tagged(match.group(0), utm), text)
