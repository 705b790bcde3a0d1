"""Timing helpers and the result record every benchmark returns."""
from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

__all__ = ["Figure", "timed", "interleaved", "side_by_side"]


@dataclass
class Figure:
    """One line of the table: our figure, the raw baseline's, and the target it is held to.

    `kind` says how to read the target: "ratio_max" (ours/baseline <= target), "ratio_min"
    (ours/baseline >= target), "max" (ours <= target, in `unit`), "min" (ours >= target),
    "info" (no target: a figure printed for scale beside one that has)."""

    key: str
    title: str
    unit: str
    ours: float | None
    baseline: float | None
    target: float
    kind: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """ours / baseline, when both were measured."""
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None when the figure could not be measured)."""
        # Secondary conditions of the issue (a p50 bound, no errors) are flags in the details.
        also = all(self.details.get(name, True) for name in ("p50_met", "no_errors"))
        if self.kind == "info":
            return None
        if self.kind == "max":
            return None if self.ours is None else self.ours <= self.target and also
        if self.kind == "min":
            return None if self.ours is None else self.ours >= self.target and also
        if self.ratio is None:
            return None
        primary = self.ratio <= self.target if self.kind == "ratio_max" else self.ratio >= self.target
        return primary and also

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the ratio and the verdict."""
        data = asdict(self)
        data.update(ratio=None if self.ratio is None else round(self.ratio, 3), met=self.met)
        return data


def timed(action: Callable[[], Any], repeat: int, warmup: int = 3) -> list[float]:
    """Milliseconds of `repeat` calls of `action`, after `warmup` untimed calls."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def interleaved(ours: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds of `repeat` calls of `ours` and of `baseline`, interleaved call by call
    so that the machine's noise (two cores shared with other work) falls on both alike."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):
        for action, samples in ((ours, mine), (baseline, theirs)):
            began = time.perf_counter()
            action()
            samples.append((time.perf_counter() - began) * 1000)
    return mine, theirs


def side_by_side(ours: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """p50 milliseconds of `ours` and `baseline`, after three untimed calls of each
    (`interleaved`)."""
    for _ in range(3):
        ours()
        baseline()
    mine, theirs = interleaved(ours, baseline, repeat)
    return statistics.median(mine), statistics.median(theirs)
