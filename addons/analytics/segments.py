"""The RFM segments: which recency score and frequency-monetary score make which named
segment (the table README's Analytics section repeats).

The frequency-monetary score is the average of the frequency and monetary scores,
rounded half up: `(F + M + 1) // 2`. Rows are the recency score, columns that score:

| R \\ FM | 1           | 2                   | 3                   | 4                | 5                |
| ------ | ----------- | ------------------- | ------------------- | ---------------- | ---------------- |
| 5      | new         | potential loyalists | potential loyalists | champions        | champions        |
| 4      | new         | potential loyalists | potential loyalists | loyal            | champions        |
| 3      | hibernating | hibernating         | potential loyalists | loyal            | loyal            |
| 2      | hibernating | hibernating         | at risk             | at risk          | cannot lose them |
| 1      | lost        | lost                | at risk             | cannot lose them | cannot lose them |
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case

__all__ = ["SEGMENTS", "GRID", "segment_of", "segment_case"]

#: (value, label), from the best customers to the lost ones.
SEGMENTS = [("champions", "Champions"), ("loyal", "Loyal"), ("potential_loyalists", "Potential loyalists"),
            ("new", "New"), ("at_risk", "At risk"), ("cannot_lose_them", "Cannot lose them"),
            ("hibernating", "Hibernating"), ("lost", "Lost")]

_ROWS = {
    5: ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("new", "potential_loyalists", "potential_loyalists", "loyal", "champions"),
    3: ("hibernating", "hibernating", "potential_loyalists", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"),
    1: ("lost", "lost", "at_risk", "cannot_lose_them", "cannot_lose_them"),
}
#: {(recency score, frequency-monetary score): segment}
GRID: dict[tuple[int, int], str] = {(recency, fm): segment for recency, row in _ROWS.items()
                                    for fm, segment in enumerate(row, start=1)}


def segment_of(recency: int, frequency: int, monetary: int) -> str:
    """The segment of three scores (1-5 each)."""
    return GRID[(recency, (frequency + monetary + 1) // 2)]


def segment_case(recency: Any, frequency: Any, monetary: Any) -> Any:
    """`segment_of` as one SQL CASE over three integer score expressions."""
    fm = (frequency + monetary + 1) // 2
    return case(*[(and_(recency == r, fm == f), segment) for (r, f), segment in sorted(GRID.items())])
