"""Events of the membership addon (blinker), for other addons to react to.

- `donation_received` (sender "donations"): a gift was received, whether recorded as
  received or an expected instalment marked received later. Keyword arguments: `donation`
  (the record), `env`, `contact_id` (the donor, None for an organisation's gift),
  `amount` (Decimal), `currency`, `received_on` (date), `appeal` (text or None).

Sent once the write is made, inside its transaction. Campaigns, when installed, counts it
as a "donation" conversion of the campaigns that reached the donor (their ROI), through
its `campaign_conversion_events` hook (`addons.membership.appeals`).
"""
from __future__ import annotations

from blinker import Namespace

__all__ = ["donation_received"]

_signals = Namespace()

donation_received = _signals.signal("membership-donation-received", doc="A donation was received.")
