"""A campaign email seen before it is sent: rendered for a chosen contact, and sent as a
test to one address.

`POST /api/v1/campaign_messages/<id>/preview` with `{"contact_id": n, "variant": "a"|"b"}`
answers `{"subject", "html", "text"}`: the message as that contact would receive it (links
untracked). The caller must be allowed to read the message and the contact; a contact
they may not see is a 404, as if it did not exist.

`POST /api/v1/campaign_messages/<id>/test_send` with `{"to": address, "contact_id": n,
"variant": "a"|"b"}` (all optional) sends the message, its subject prefixed "[Test] ",
to `to` (default: the caller's own address) through the kernel's outbox, rendered for the
contact (default: a contact with no fields, so each placeholder shows its fallback). It is
not tracked and belongs to no campaign member, so it counts in no statistic. The caller
must be allowed to edit the message.
"""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, ValidationError as MarshmallowError, fields, validate

from core.api.actions import ApiAction
from core.env import Env
from core.mail.outbound import send_mail
from core.records.errors import ValidationFailed

from addons.campaigns.models import CampaignMessage
from addons.campaigns.sending.render import RenderedEmail, render_email
from addons.contacts.models import Contact

__all__ = ["preview", "test_send", "preview_actions", "TEST_PREFIX"]

#: What a test send's subject starts with.
TEST_PREFIX = "[Test] "
_ADDRESS = validate.Email()
_VARIANT = fields.String(load_default="a", validate=validate.OneOf(("a", "b"), error="Choose variant a or b."))


class _PreviewBody(Schema):
    contact_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    variant = _VARIANT


class _TestSendBody(Schema):
    to = fields.Email(load_default=None, metadata={"description": "Empty: the caller's own address"})
    contact_id = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1))
    variant = _VARIANT


def preview(env: Env, message: CampaignMessage, contact_id: int | None, variant: str = "a") -> RenderedEmail:
    """`message` (variant "a" or "b") rendered for the contact `contact_id` as `env`'s user
    sees it, or for a contact with no fields when `contact_id` is None. NotFound when the
    user may not read the contact; ValidationFailed naming `variant` or the part that does
    not render."""
    if message.channel != "email":
        raise ValidationFailed({"channel": [f"Only email messages have a preview, not {message.channel}."]})
    if variant == "b" and not (message.variant_subject or message.variant_body):
        raise ValidationFailed({"variant": ["This message has no variant B: give it a subject B or a body B."]})
    contact = env.records.get("contacts", contact_id) if contact_id is not None else Contact()
    return render_email(env, message, contact, variant)


def test_send(env: Env, message: CampaignMessage, to: str | None, contact_id: int | None,
              variant: str = "a") -> dict[str, Any]:
    """Queue a test of `message` to `to` (default: `env`'s user's address), rendered as in
    `preview`; returns the address, the subject and the outbox status. The caller commits."""
    address = to or (env.user.email if env.user is not None else None)
    if not address:
        raise ValidationFailed({"to": ["Give the address to send the test to: your account has no email."]})
    try:
        _ADDRESS(address)
    except MarshmallowError:
        raise ValidationFailed({"to": [f"{address!r} is not an email address."]}) from None
    rendered = preview(env, message, contact_id, variant)
    subject = TEST_PREFIX + rendered.subject
    mail = send_mail(env, address, subject="{{ values.subject }}", html="{{ values.html }}", text="{{ values.text }}",
                     values={"subject": subject, "html": rendered.html, "text": rendered.text},
                     record=("campaign_messages", message.id), channel="email", track=False)
    return {"to": mail.to_address, "subject": subject, "status": mail.status}


def _preview_action(env: Env, message: CampaignMessage, payload: Mapping[str, Any]) -> dict[str, Any]:
    rendered = preview(env, message, payload["contact_id"], payload["variant"])
    return {"subject": rendered.subject, "html": str(rendered.html), "text": rendered.text}


def _test_send_action(env: Env, message: CampaignMessage, payload: Mapping[str, Any]) -> dict[str, Any]:
    return test_send(env, message, payload["to"], payload["contact_id"], payload["variant"])


def preview_actions() -> list[ApiAction]:
    """`preview` (read access) and `test_send` (edit access) on campaign messages."""
    return [
        ApiAction("campaign_messages", "preview", _preview_action, "The email as a chosen contact would receive it "
                  "(subject, HTML and text part; variant a or b)", operation="read", body=_PreviewBody),
        ApiAction("campaign_messages", "test_send", _test_send_action, "Send the email, subject prefixed [Test], to "
                  "one address (default: yours); untracked and counted nowhere", body=_TestSendBody),
    ]
