"""What the kernel's runtime for later work (jobs, mail, webhooks) contributes through the
kernel's own hooks (core/builtin.py): models, permissions, menus, views, routes, jobs."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from core.declarations import DataRecord, EventHandler, Job, MenuItem, View, access, role
from core.jobs.models import JobRun, JobSchedule
from core.mail.models import Consent, InboundMail, MailLink, MailMessage, MailTemplate
from core.models.base import Record
from core.sms.models import SmsMessage
from core.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = ["models", "data", "menus", "views", "blueprints", "jobs", "api_actions", "event_handlers", "app_ready"]


def models() -> list[type[Record]]:
    """Job runs and schedules; the mail log with its tracked links, templates, consents and
    inbound log; the SMS log; webhooks."""
    return [JobRun, JobSchedule, MailMessage, MailLink, MailTemplate, Consent, InboundMail, SmsMessage,
            WebhookSubscription, WebhookDelivery]


def data() -> list[DataRecord]:
    """Administrators see and manage all of it (they have full access; these rows say so
    where admins look). Internal users may pick a mail template; mail template editors
    write, preview and test them."""
    return [
        *[access(f"base.access_{model.resource_name()}_admin", "base.admin", model.resource_name(), "rcud")
          for model in models()],
        access("base.access_mail_templates_user", "base.user", "mail_templates", "r"),
        role("base.mail_template_editor", "Mail template editor", implies=("base.user",),
             description="Writes mail templates, previews them for any record they may read."),
        access("base.access_mail_templates_editor", "base.mail_template_editor", "mail_templates", "rcud"),
    ]


def menus() -> list[MenuItem]:
    """Entries under the administrators' Settings menu: the admin pages of jobs, mail and
    webhooks (core/web/pages/admin_*.py), then the plain lists of the runtime's models."""
    return [
        MenuItem("base.admin_jobs", "Jobs", url="/admin/jobs", parent="base.settings", admin=True),
        MenuItem("base.job_runs", "Job runs", model="job_runs", parent="base.settings"),
        MenuItem("base.job_schedules", "Job schedules", model="job_schedules", parent="base.settings"),
        MenuItem("base.admin_mail", "Mail log", url="/admin/mail", parent="base.settings", admin=True),
        MenuItem("base.admin_mail_templates", "Mail templates", url="/admin/mail/templates", parent="base.settings",
                 admin=True),
        MenuItem("base.consents", "Consents and suppressions", model="consents", parent="base.settings"),
        MenuItem("base.inbound_mails", "Inbound mail", model="inbound_mails", parent="base.settings"),
        MenuItem("base.sms_messages", "SMS log", model="sms_messages", parent="base.settings"),
        MenuItem("base.admin_webhooks", "Webhooks", url="/admin/webhooks", parent="base.settings", admin=True),
        MenuItem("base.webhook_deliveries", "Webhook deliveries", model="webhook_deliveries",
                 parent="base.settings"),
    ]


def views() -> list[View]:
    """List columns and quick filters of the runtime's models."""
    return [
        View("job_runs", "list", ["name", "status", "trigger", "due_at", "started_at", "duration_ms", "attempts"]),
        View("job_runs", "search", options={"filters": {
            "Failed": [["status", "=", "failed"]],
            "Waiting to retry": [["status", "=", "retrying"]],
        }, "group_by": ["name", "status"]}),
        View("job_schedules", "list", ["name", "schedule", "active", "next_run_at", "last_run_at"]),
        View("mail_messages", "list", ["created_at", "to_address", "subject", "status", "channel", "open_count",
                                       "click_count"]),
        View("mail_messages", "search", options={"filters": {
            "Failed or bounced": [["status", "in", ["failed", "bounced"]]],
            "Suppressed": [["status", "=", "suppressed"]],
        }, "group_by": ["status", "channel", "template"]}),
        View("mail_links", "list", ["message_id", "position", "url", "click_count", "last_clicked_at"]),
        View("mail_templates", "list", ["name", "model", "subject", "description"]),
        View("consents", "list", ["address", "channel", "state", "reason", "source", "changed_at"]),
        View("sms_messages", "list", ["created_at", "to_number", "body", "status", "channel", "delivered_at"]),
        View("sms_messages", "search", options={"filters": {
            "Failed": [["status", "=", "failed"]],
            "Suppressed": [["status", "=", "suppressed"]],
        }, "group_by": ["status", "channel"]}),
        View("inbound_mails", "list", ["received_at", "from_address", "subject", "status", "handler"]),
        View("webhook_subscriptions", "list", ["name", "url", "events", "active", "failure_count", "last_status"]),
        View("webhook_deliveries", "list", ["created_at", "subscription_id", "event", "status", "attempts",
                                            "response_code"]),
    ]


def blueprints() -> list[Blueprint]:
    """Admin endpoints under /api/v1/_admin, the inbound mail endpoint, mail tracking routes,
    the SMS provider's webhooks."""
    from core.jobs.api import jobs_api
    from core.mail.api import inbound_api, mail_api
    from core.mail import preferences  # noqa: F401 - adds the preference page to the tracking routes
    from core.mail.tracking import tracking
    from core.sms.webhooks import sms_webhooks
    from core.webhooks.api import webhooks_api

    return [jobs_api, mail_api, inbound_api, tracking, sms_webhooks, webhooks_api]


def jobs() -> list[Job]:
    """The kernel's own jobs: queue and sign-in housekeeping, sending mail and text
    messages, delivering webhooks."""
    from core.auth.housekeeping import auth_jobs
    from core.jobs.admin import kernel_jobs
    from core.mail.delivery import mail_jobs
    from core.sms.outbound import sms_jobs
    from core.webhooks.delivery import webhook_jobs

    return [*kernel_jobs(), *auth_jobs(), *mail_jobs(), *sms_jobs(), *webhook_jobs()]


def api_actions() -> list[Any]:
    """Record actions: retry a failed run; ping a webhook, redeliver a delivery."""
    from core.jobs.api import api_actions as job_actions
    from core.webhooks.api import api_actions as webhook_actions

    return [*job_actions(), *webhook_actions()]


def event_handlers() -> list[EventHandler]:
    """Record events feed webhook subscriptions."""
    from core.webhooks.events import record_handlers

    return record_handlers()


def app_ready(app: Flask) -> None:
    """Addon events declared for webhooks are connected once every addon is loaded."""
    from core.platform import platform
    from core.webhooks.events import connect_addon_events

    connect_addon_events(platform(app))
