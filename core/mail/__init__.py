"""Mail: outbound through SMTP with a log, templates, tracking and consent; inbound routing.

Addons send with `send_mail(env, to, template=..., record=(resource, id), ...)`, ship
templates with `mail_template(...)` from `register_data`, claim inbound messages with
the `claim_inbound_message` hook and react to `core.mail.signals`.
"""
from __future__ import annotations

from core.mail.consent import blocking_consent, record_consent
from core.mail.outbound import send_mail
from core.mail.preview import preview
from core.mail.templates import mail_template

__all__ = ["send_mail", "preview", "mail_template", "blocking_consent", "record_consent"]
