"""A/B tests of campaign emails: the winner chosen by opens or clicks, and sent to the rest.

A message with a test share sends variant A to one share of its recipients and B to
another (sending.recipients splits them) and holds the rest. Once the test share is sent
the message is `testing`; `decide_after_hours` after its first send, the
`campaigns.ab_winner` sweep compares the variants' open (or click) rates over the
deliveries sent, records the winner (A on a tie) with the moment, gives the held
deliveries the winner's variant as `pending` and sets the message sending again, so the
`campaigns.send` job delivers them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from core.db import db
from core.declarations import Job
from core.jobs import JobContext, enqueue

from addons.campaigns.models import CampaignDelivery, CampaignMessage
from addons.campaigns.sending.dispatch import SEND_JOB

__all__ = ["VariantResult", "variant_results", "decision_due_at", "choose_winner", "decide", "ab_jobs", "AB_JOB"]

AB_JOB = "campaigns.ab_winner"


@dataclass(frozen=True)
class VariantResult:
    """How one variant did in the test: contacts it was sent to, and how many opened and clicked."""

    variant: str
    sent: int = 0
    opened: int = 0
    clicked: int = 0

    def rate(self, metric: str) -> float:
        """Opens or clicks (`metric`: "opens" | "clicks") per delivery sent, 0 when none was sent."""
        count = self.opened if metric == "opens" else self.clicked
        return count / self.sent if self.sent else 0.0


def variant_results(message: CampaignMessage) -> dict[str, VariantResult]:
    """Each variant's test deliveries (sent before the winner was chosen) counted in one query."""
    test = [CampaignDelivery.message_id == message.id, CampaignDelivery.variant.is_not(None),
            CampaignDelivery.sent_at.is_not(None)]
    if message.winner_chosen_at is not None:
        test.append(CampaignDelivery.sent_at < message.winner_chosen_at)
    rows = db.session.execute(select(CampaignDelivery.variant, func.count(), func.count(CampaignDelivery.opened_at),
                                     func.count(CampaignDelivery.clicked_at)).where(*test)
                              .group_by(CampaignDelivery.variant)).all()
    found = {variant: VariantResult(variant, sent, opened, clicked) for variant, sent, opened, clicked in rows}
    return {variant: found.get(variant, VariantResult(variant)) for variant in ("a", "b")}


def decision_due_at(message: CampaignMessage) -> datetime | None:
    """When the test ends: `decide_after_hours` after its first delivery was sent, or after
    the deliveries were made when none was (all skipped). None: the message has none."""
    started = func.coalesce(func.min(CampaignDelivery.sent_at), func.min(CampaignDelivery.created_at))
    first = db.session.scalar(select(started).where(CampaignDelivery.message_id == message.id))
    if first is None:
        return None
    return first + timedelta(hours=message.decide_after_hours or 0)


def choose_winner(results: dict[str, VariantResult], metric: str) -> str:
    """"b" when B's rate by `metric` is higher than A's, else "a" (a tie goes to A)."""
    return "b" if results["b"].rate(metric) > results["a"].rate(metric) else "a"


def decide(message: CampaignMessage, now: datetime) -> str:
    """Record the winner of the message's test as of `now` and release the held deliveries
    to it; returns the winner. The caller commits."""
    winner = choose_winner(variant_results(message), message.winner_metric or "opens")
    message.winner, message.winner_chosen_at, message.status = winner, now, "sending"
    db.session.execute(update(CampaignDelivery).where(CampaignDelivery.message_id == message.id,
                                                    CampaignDelivery.status == "held")
                       .values(status="pending", variant=winner, updated_at=now,
                               version=CampaignDelivery.version + 1))
    enqueue(SEND_JOB, {"message_id": message.id})
    return winner


def _sweep(ctx: JobContext) -> dict[str, Any]:
    """The `campaigns.ab_winner` sweep: decide every test whose time has come."""
    now = ctx.now()
    decided: dict[str, str] = {}
    for message in db.session.scalars(select(CampaignMessage).where(CampaignMessage.status == "testing")
                                      .order_by(CampaignMessage.id)).all():
        due = decision_due_at(message)
        if due is not None and due <= now:
            decided[str(message.id)] = decide(message, now)
            ctx.commit()
    return {"decided": decided}


def ab_jobs() -> list[Job]:
    """The `campaigns.ab_winner` sweep, each minute."""
    return [Job(AB_JOB, _sweep, every=timedelta(minutes=1),
                description="Choose the winner of campaign A/B tests whose time is up and send it to the rest.")]
