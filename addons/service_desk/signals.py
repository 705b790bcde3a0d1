"""Service desk events (blinker). Each is sent with sender "tickets" and keyword
arguments `ticket` (the record), `target` ("first_response", "next_update" or
"resolution"), `due_at`, `event` (the `TicketSlaEvent` recorded) and `env` (the
acting Env of the periodic check). Connect through `register_event_handlers`."""
from __future__ import annotations

from blinker import Namespace

__all__ = ["ticket_sla_warning", "ticket_sla_breached"]

_signals = Namespace()

ticket_sla_warning = _signals.signal(
    "ticket-sla-warning", doc="A ticket used the policy's warning share of a target's time without meeting it.")
ticket_sla_breached = _signals.signal(
    "ticket-sla-breached", doc="A ticket's target came due without being met.")
