"""SMS events (blinker). Each is sent with sender "sms" and keyword arguments `message`
(the `SmsMessage`; None for `sms_received`) and `env` (a system Env). The contacts addon
puts sent and received messages on the contact's timeline; campaigns marks members delivered."""
from __future__ import annotations

from blinker import Namespace

__all__ = ["sms_sent", "sms_delivered", "sms_failed", "sms_received"]

_signals = Namespace()

sms_sent = _signals.signal("sms-sent", doc="The transport accepted the message (`provider_id` is set).")
sms_delivered = _signals.signal("sms-delivered", doc="The provider reported the message delivered to the phone.")
sms_failed = _signals.signal("sms-failed", doc="The message failed for good (refused by the provider, or "
                             "reported failed or undelivered); `error` says why.")
sms_received = _signals.signal("sms-received", doc="A text came in: `from_number` (E.164), `body`, and "
                               "`keyword` (`stop` or `start` when it changed the number's consent, else None).")
