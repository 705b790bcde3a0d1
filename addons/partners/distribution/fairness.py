"""The weighted round robin of lead offers: pure, no database.

Each candidate has a weight (its tier's offer weight, scaled by its past conversion rate)
and the number of offers it already had. The next offer goes to the candidate whose
share would stay the lowest, `(offers + 1) / weight`; ties go to the heavier weight, then
to the fewer offers, then to the older partner. Because past offers are counted, the
turns hold over time and across restarts: with weights 3 and 1, eight leads go 6 and 2
(G G G S G G G S), and a partner that was skipped (at capacity) catches up later.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

__all__ = ["Candidate", "pick", "conversion_factor"]


@dataclass(frozen=True)
class Candidate:
    """A partner able to take the lead now."""

    partner_id: int
    weight: Decimal
    offers: int


def conversion_factor(accepted: int, converted: int) -> Decimal:
    """How a partner's past conversion scales its weight: 1 without history, from 0.5 (it
    converted none of the leads it accepted) to 1.5 (it converted all of them)."""
    if accepted <= 0:
        return Decimal(1)
    return Decimal("0.5") + Decimal(min(converted, accepted)) / Decimal(accepted)


def pick(candidates: Sequence[Candidate]) -> Candidate | None:
    """The candidate the next offer goes to (None when there is none with a weight)."""
    weighted = [c for c in candidates if c.weight > 0]
    if not weighted:
        return None
    return min(weighted, key=lambda c: (Decimal(c.offers + 1) / c.weight, -c.weight, c.offers, c.partner_id))
