"""The consent and suppression list every sender must honour."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.mail.models import Consent
from core.records.bulk import one_of

__all__ = ["normalize", "blocking_consent", "blocking_consents", "record_consent", "channel_and_parents"]

BLOCKING = ("withdrawn", "suppressed")


def normalize(address: str) -> str:
    """Addresses are compared without regard to case or surrounding spaces."""
    return address.strip().lower()


def channel_and_parents(channel: str) -> list[str]:
    """`email.marketing.news` -> [`email.marketing.news`, `email.marketing`, `email`]."""
    parts = channel.strip().lower().split(".")
    return [".".join(parts[:size]) for size in range(len(parts), 0, -1)]


def blocking_consent(address: str, channel: str) -> Consent | None:
    """The row that forbids writing to `address` on `channel` (or a broader channel), if any."""
    return db.session.scalar(
        select(Consent).where(Consent.address == normalize(address), Consent.channel.in_(channel_and_parents(channel)),
                              Consent.state.in_(BLOCKING)).order_by(Consent.id).limit(1)
    )


def blocking_consents(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Consent]:
    """`blocking_consent` for many (address, channel) pairs in one query: the row that
    forbids each pair, keyed by (normalized address, channel as given); a pair nothing
    forbids is absent."""
    wanted = {(normalize(address), channel) for address, channel in pairs}
    if not wanted:
        return {}
    channels = {name for _address, channel in wanted for name in channel_and_parents(channel)}
    rows = db.session.scalars(select(Consent).where(
        one_of(Consent.address, sorted({address for address, _channel in wanted})),
        Consent.channel.in_(sorted(channels)), Consent.state.in_(BLOCKING)).order_by(Consent.id))
    first: dict[tuple[str, str], Consent] = {}
    for row in rows:
        first.setdefault((row.address, row.channel), row)
    found: dict[tuple[str, str], Consent] = {}
    for address, channel in wanted:
        rows_here = [first[(address, name)] for name in channel_and_parents(channel) if (address, name) in first]
        if rows_here:
            found[(address, channel)] = min(rows_here, key=lambda row: row.id)
    return found


def record_consent(address: str, channel: str, state: str, *, reason: str | None = None, source: str | None = None,
                   message_id: int | None = None) -> Consent:
    """Set the consent of `address` on `channel` (creating or updating its row), as the system.

    Goes through the records service, so the change is audited like an admin's edit.
    """
    records = Env.system().records
    values = {"state": state, "reason": reason, "source": source}
    existing = db.session.scalar(select(Consent).where(Consent.address == normalize(address),
                                                       Consent.channel == channel.strip().lower()))
    if existing is None:
        row = records.create("consents", {"address": address, "channel": channel, **values})
    else:
        row = records.update("consents", existing.id, values)
    row.message_id = message_id if message_id is not None else row.message_id
    return row
