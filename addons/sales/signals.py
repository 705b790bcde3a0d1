"""Events of the sales addon (blinker), for other addons to react to.

Each is sent with sender "opportunities" and keyword arguments:

- `opportunity_won`: `opportunity` (the record), `env`, `amount` (Decimal, company
  currency), `currency` (the company currency code), `owner_id`, `account_id`,
  `lead_id`, `utm_campaign` (for campaign attribution and partner commissions).
- `opportunity_lost`: the same, plus `lost_reason_id` and `lost_reason` (its name).
- `stage_changed`: `opportunity`, `env`, `old_stage_id`, `new_stage_id`.

They are sent however the change happens (the win/lose actions, a card moved on the
board, an API update), once the change is written and audited, inside its transaction.
"""
from __future__ import annotations

from blinker import Namespace

__all__ = ["opportunity_won", "opportunity_lost", "stage_changed", "lead_converted"]

_signals = Namespace()

opportunity_won = _signals.signal("sales-opportunity-won", doc="An opportunity was won.")
opportunity_lost = _signals.signal("sales-opportunity-lost", doc="An opportunity was lost (with a reason).")
stage_changed = _signals.signal("sales-stage-changed", doc="An opportunity moved to another pipeline stage.")
lead_converted = _signals.signal(
    "sales-lead-converted",
    doc="A lead was converted (sender \"leads\"): `lead`, `env`, `account`, `contact`, `opportunity`.",
)
