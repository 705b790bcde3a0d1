"""Attribution: which campaigns earn a conversion, and how much of it, under the first
touch, last touch, linear and time-decay models.

A touch is a moment a campaign reached the contact: each of its messages' `sent_at`,
`opened_at` and `clicked_at` (the contact's `campaign_deliveries`, and member rows
imported without deliveries), within the attribution window before the conversion
(setting `campaigns_attribution_window_days`). Time decay weighs a touch by
2^(-age / half-life) (setting `campaigns_time_decay_half_life_days`)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env

from addons.campaigns.models import CampaignAttribution, CampaignDelivery, CampaignMember
from addons.campaigns.models.attributions import ATTRIBUTION_MODELS
from addons.campaigns.tracking import advance

__all__ = ["Touch", "Conversion", "credits", "touches_of", "record_conversion", "MODELS"]

#: The attribution models, in the order the dashboard offers them.
MODELS = tuple(name for name, _label in ATTRIBUTION_MODELS)
_TOUCH_FIELDS = ("sent_at", "opened_at", "clicked_at")
_CENT = Decimal("0.01")
_CREDIT_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Touch:
    """A campaign reaching a contact at a moment."""

    campaign_id: int
    at: datetime


@dataclass(frozen=True)
class Conversion:
    """A contact converting: `event` is the conversion event's name, `kind` one of
    `CONVERSION_KINDS`, `amount` the revenue in the company currency (None: none),
    `reference` what converted ("opportunities:12"; None: never deduplicated)."""

    event: str
    kind: str
    contact_id: int
    at: datetime
    amount: Decimal | None = None
    reference: str | None = None


def credits(touches: Iterable[Touch], model: str, at: datetime, half_life_days: float) -> dict[int, Decimal]:
    """Each campaign's share (summing to 1) of a conversion at `at` under `model`; empty
    when there is no touch. Ties go to the campaign listed first."""
    ordered = sorted(touches, key=lambda touch: touch.at)
    if not ordered:
        return {}
    if model == "first_touch":
        return {ordered[0].campaign_id: Decimal(1)}
    if model == "last_touch":
        return {ordered[-1].campaign_id: Decimal(1)}
    if model == "linear":
        weights = [(touch.campaign_id, 1.0) for touch in ordered]
    elif model == "time_decay":
        half_life = half_life_days * 86400
        weights = [(touch.campaign_id, 0.5 ** ((at - touch.at).total_seconds() / half_life)) for touch in ordered]
    else:
        raise ValueError(f"unknown attribution model {model!r}; the models are {', '.join(MODELS)}")
    total = sum(weight for _campaign, weight in weights)
    shares: dict[int, float] = defaultdict(float)
    for campaign_id, weight in weights:
        shares[campaign_id] += weight / total
    return {campaign_id: Decimal(repr(share)) for campaign_id, share in shares.items()}


def touches_of(contact_id: int, at: datetime, window_days: int) -> list[Touch]:
    """The campaign touches of a contact in the `window_days` before `at` (inclusive): the
    moments of their deliveries, and of member rows written without one (history
    imported from another tool); a moment both show counts once."""
    start = at - timedelta(days=window_days)
    moments: set[tuple[int, datetime]] = set()
    for model in (CampaignDelivery, CampaignMember):
        rows = db.session.execute(select(model.campaign_id, *(getattr(model, name) for name in _TOUCH_FIELDS))
                                  .where(model.contact_id == contact_id)).all()
        moments.update((row[0], moment) for row in rows for moment in row[1:]
                       if moment is not None and start <= moment <= at)
    return [Touch(campaign_id, moment) for campaign_id, moment in sorted(moments, key=lambda pair: (pair[1], pair[0]))]


def record_conversion(env: Env, conversion: Conversion) -> list[CampaignAttribution]:
    """Write the credit set of a conversion (one row per touched campaign and model) and
    mark the touched members converted. A reference already credited for this event is
    left as it is, so an event delivered twice counts once."""
    system = env.sudo()
    if conversion.reference is not None and db.session.scalar(
            select(CampaignAttribution.id).where(CampaignAttribution.event == conversion.event,
                                                 CampaignAttribution.reference == conversion.reference).limit(1)):
        return []
    settings = system.platform.settings
    touches = touches_of(conversion.contact_id, conversion.at, int(settings["campaigns_attribution_window_days"]))
    written: list[CampaignAttribution] = []
    for model in MODELS:
        shares = credits(touches, model, conversion.at, float(settings["campaigns_time_decay_half_life_days"]))
        for campaign_id, share in shares.items():
            revenue = None if conversion.amount is None else \
                (conversion.amount * share).quantize(_CENT, rounding=ROUND_HALF_UP)
            written.append(system.records.create("campaign_attributions", {
                "campaign_id": campaign_id, "contact_id": conversion.contact_id, "event": conversion.event,
                "kind": conversion.kind, "reference": conversion.reference, "model": model,
                "credit": share.quantize(_CREDIT_PLACES, rounding=ROUND_HALF_UP), "revenue": revenue,
                "converted_at": conversion.at,
            }))
    for campaign_id in {touch.campaign_id for touch in touches}:
        member = db.session.scalar(select(CampaignMember).where(CampaignMember.campaign_id == campaign_id,
                                                                CampaignMember.contact_id == conversion.contact_id))
        if member is not None:
            advance(system, member, "converted", conversion.at)
    return written
