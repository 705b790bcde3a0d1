"""Choices and small validators shared by the campaigns addon's models."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import validate

__all__ = ["fill_defaults", "CALL_OUTCOMES", "CHANNELS", "CAMPAIGN_STATUSES", "TRANSITIONS", "MESSAGE_STATUSES", "MEMBER_STATUSES",
           "DELIVERY_STATUSES", "WINNER_METRICS",
           "VARIANTS", "TOPIC", "CURRENCY_CODE", "slug"]

CHANNELS = [("email", "Email"), ("sms", "SMS"), ("task", "Task (call list)")]
CAMPAIGN_STATUSES = [("draft", "Draft"), ("scheduled", "Scheduled"), ("running", "Running"), ("paused", "Paused"),
                     ("done", "Done")]
#: Where a campaign may go from each status; a new campaign starts as draft or scheduled.
TRANSITIONS = {
    "draft": ("scheduled", "running"),
    "scheduled": ("draft", "running", "paused"),
    "running": ("paused", "done"),
    "paused": ("running", "done"),
    "done": (),
}
MESSAGE_STATUSES = [("draft", "Draft"), ("scheduled", "Scheduled"), ("testing", "A/B test running"),
                    ("sending", "Sending"), ("sent", "Sent"), ("cancelled", "Cancelled")]
MEMBER_STATUSES = [("pending", "Pending"), ("sent", "Sent"), ("delivered", "Delivered"), ("opened", "Opened"),
                   ("clicked", "Clicked"), ("bounced", "Bounced"), ("unsubscribed", "Unsubscribed"),
                   ("converted", "Converted"), ("skipped", "Skipped")]
#: A message's way to one contact: a member's statuses but converted (a campaign's), and
#: held (waiting for the A/B winner).
DELIVERY_STATUSES = [("pending", "Pending"), ("held", "Held for the A/B winner"), ("sent", "Sent"),
                     ("delivered", "Delivered"), ("opened", "Opened"), ("clicked", "Clicked"), ("bounced", "Bounced"),
                     ("unsubscribed", "Unsubscribed"), ("skipped", "Skipped")]
WINNER_METRICS = [("opens", "Opens"), ("clicks", "Clicks")]
#: What a call of a call list came to; each moves the member (see addons.campaigns.calls).
CALL_OUTCOMES = [("reached", "Reached"), ("no_answer", "No answer"), ("not_interested", "Not interested"),
                 ("wrong_number", "Wrong number")]
VARIANTS = [("a", "A"), ("b", "B")]

#: A consent channel and topic (core.mail.consent): `email.marketing.newsletter`.
TOPIC = validate.Regexp(r"^(email|sms|phone)(\.[a-z0-9_-]+)*(?![\s\S])",
                        error="{input!r} is not a consent topic: give a channel (email, sms or phone) and dotted "
                              "lower-case words, such as email.marketing.newsletter.")
#: What a currency field takes (before it is upper-cased): three letters.
CURRENCY_CODE = validate.Regexp(r"^[A-Za-z]{3}(?![\s\S])",
                                error="{input!r} is not a currency code: give three letters, such as EUR.")


def fill_defaults(record: Any) -> None:
    """Give the fields left unset the plain default their column declares: a column default
    is applied by the INSERT, after `before_save` has judged the record."""
    for column in record.__table__.columns:
        default = column.default
        if default is not None and default.is_scalar and getattr(record, column.key, None) is None:
            setattr(record, column.key, default.arg)


def slug(text: str) -> str:
    """"Spring Sale 2026!" -> "spring_sale_2026": what a UTM value looks like."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:120]
