"""Resending by hand the messages delivery gave up on: those left `uncertain` (a worker
stopped between claiming and recording them: the server may have taken them) or `failed`.

An admin who checked with the recipient puts them back in the queue; one `mail.send` run
then delivers them through the usual state machine (core.mail.delivery): consent is
checked again, each is claimed before its DATA, and the accepted ones are announced with
`mail_sent` as any mail is, so the timeline and campaign deliveries follow. A message
keeps its Message-ID, so a mail client that had received it may show it once.
"""
from __future__ import annotations

from typing import Any, Iterable

from core.env import Env
from core.jobs import JobRun, enqueue
from core.mail.models import MailMessage
from core.records.errors import ValidationFailed

__all__ = ["resend", "RESENDABLE"]

#: The statuses a message may be resent from.
RESENDABLE = ("uncertain", "failed")


def resend(env: Env, message_ids: Iterable[Any]) -> tuple[list[MailMessage], JobRun]:
    """Queue the messages `message_ids` again, as `env` (who must be allowed to update each
    of them), and one `mail.send` run for them; returns the messages and the run. The
    caller commits.

    Each goes back to `queued` with its error cleared and its attempts counted from zero,
    so it gets the job's full set of retries; what it was (status, error, attempts) stays
    in its audit trail, with who resent it. ValidationFailed (`message_ids`) names every
    message that is not uncertain or failed, and then none is queued."""
    ids = _ids(message_ids)
    messages = [env.records.get("mail_messages", message_id, operation="update", lock=True) for message_id in ids]
    refused = [message for message in messages if message.status not in RESENDABLE]
    if refused:
        raise ValidationFailed({"message_ids": [
            f"Message #{message.id} is {message.status}: only an uncertain or failed message can be resent."
            for message in refused]})
    # Delivery's fields are the platform's to write: the check above was the user's, the
    # write is stamped and audited as theirs.
    writer = env.sudo().records
    for message in messages:
        writer.update("mail_messages", message.id, {"status": "queued", "error": None, "attempts": 0})
    run = enqueue("mail.send", {"message_ids": ids}, trigger="manual")
    return messages, run


def _ids(message_ids: Iterable[Any]) -> list[int]:
    """The distinct ids, in the order given; ValidationFailed unless they are whole numbers."""
    if isinstance(message_ids, (str, bytes)) or not isinstance(message_ids, Iterable):
        raise ValidationFailed({"message_ids": ["Give a list of mail message ids."]})
    ids: list[int] = []
    for value in message_ids:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationFailed({"message_ids": [f"{value!r} is not a mail message id (a whole number)."]})
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed({"message_ids": ["Choose at least one message to resend."]})
    return ids
