"""Sending a campaign message to its segment: recipients materialised into
`campaign_members`, then handed to the kernel's mail outbox in claimed batches by
background jobs, throttled, pausable and safe to resume after a crash.

`start_sending(env, message)` begins (now, or at the message's `scheduled_at` through the
`campaigns.dispatch` sweep); `sending_jobs()` and `sending_handlers()` declare the jobs and the resume on a campaign set
running again; `ab_jobs()` the sweep that ends A/B tests (sending.ab); `blueprint` (sending.api) is the send
endpoint, `preview_actions()` (sending.preview) the preview and test-send actions.
"""
from __future__ import annotations

from addons.campaigns.sending.ab import ab_jobs
from addons.campaigns.sending.dispatch import sending_handlers, sending_jobs, start_sending

__all__ = ["start_sending", "sending_jobs", "sending_handlers", "ab_jobs"]
