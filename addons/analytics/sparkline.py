"""A sparkline drawn as inline SVG coordinates (no script needed to read it): a KPI's
values over its periods, with its target as a level line."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

__all__ = ["Sparkline", "sparkline"]


@dataclass(frozen=True)
class Sparkline:
    """`points` for an SVG polyline per run of measured values, the last point, and the
    target's height (None: no target)."""

    width: int
    height: int
    runs: list[str]
    last: tuple[float, float] | None
    target_y: float | None


def sparkline(values: Sequence[Decimal | None], target: Decimal | None, *, width: int = 200,
              height: int = 44, pad: int = 4) -> Sparkline:
    """Scale `values` (oldest first; None leaves a gap) and `target` into a box of
    `width` x `height` pixels, the lowest at the bottom."""
    measured = [float(v) for v in values if v is not None]
    scale = measured + ([float(target)] if target is not None else [])
    low, high = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value - low) / (high - low) * (height - 2 * pad), 1)

    runs: list[str] = []
    current: list[str] = []
    last = None
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(" ".join(current))
            current = []
            continue
        last = (round(pad + index * step, 1), y(float(value)))
        current.append(f"{last[0]},{last[1]}")
    if current:
        runs.append(" ".join(current))
    return Sparkline(width, height, runs, last, None if target is None else y(float(target)))
