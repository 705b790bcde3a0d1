"""Mail events (blinker). Each is sent with sender "mail" and keyword arguments `message`
(the `MailMessage`, or the `InboundMail` for `mail_received`) and `env` (a system Env);
`mail_sent` is sent once per delivered group, with `messages` (a list) instead.
The contacts addon, for one, puts opens and clicks on the contact's timeline."""
from __future__ import annotations

from blinker import Namespace

__all__ = ["mail_sent", "mail_opened", "mail_clicked", "mail_bounced", "mail_unsubscribed", "mail_received",
           "mail_replied"]

_signals = Namespace()

mail_sent = _signals.signal("mail-sent", doc="The SMTP server accepted the `messages` (a list of `MailMessage`, "
                            "sent together by one run): react to all of them at once, in the sender's transaction.")
mail_opened = _signals.signal("mail-opened", doc="The open pixel was fetched (`first` True the first time).")
mail_clicked = _signals.signal("mail-clicked", doc="A tracked link was followed; `url` is where it led, `link` "
                               "its `MailLink` (with the link's own count), `first` True for the message's first click.")
mail_bounced = _signals.signal("mail-bounced", doc="The message bounced; `reason` says why; the address is suppressed.")
mail_unsubscribed = _signals.signal("mail-unsubscribed", doc="The recipient withdrew consent for `channel`.")
mail_received = _signals.signal("mail-received", doc="An inbound message was routed; `inbound` is its log row.")
mail_replied = _signals.signal("mail-replied", doc="The person an email written from a record was sent to answered "
                              "it (and no addon took the answer); `message` is ours, `subject`, `text` and `from_address` "
                              "the answer's.")
