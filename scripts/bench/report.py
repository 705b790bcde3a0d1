"""The printed table and the JSON file of a benchmark run."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scripts.bench.measure import Figure

__all__ = ["table", "write_json", "growth_table"]


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def _target(figure: Figure) -> str:
    if figure.kind == "info":
        return "none (for scale)"
    if figure.kind == "ratio_max":
        text = f"ratio <= {figure.target:g}"
    elif figure.kind == "ratio_min":
        text = f"ratio >= {figure.target:g}"
    elif figure.kind == "min":
        text = f">= {_number(figure.target, figure.unit)}"
    else:
        text = f"<= {_number(figure.target, figure.unit)}"
    if "p50_target_ms" in figure.details:
        text += f", p50 < {figure.details['p50_target_ms']} ms"
    if "no_errors" in figure.details:
        text += ", no errors"
    return text


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table: figure, ours, raw baseline, ratio, target, met."""
    lines = ["| figure | ours | raw baseline | ratio | target | met |", "|---|---:|---:|---:|---|---|"]
    for figure in figures:
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
        met = {True: "met", False: "NOT met", None: "-"}[figure.met]
        lines.append(f"| {figure.title} | {_number(figure.ours, figure.unit)} | "
                     f"{_number(figure.baseline, figure.unit)} | {ratio} | {_target(figure)} | {met} |")
    return "\n".join(lines)


def growth_table(growth: dict[int, list[Figure]]) -> str:
    """The figures that read growing tables (ours, p50 ms unless the title says p95) at each
    size, side by side."""
    sizes = sorted(growth)
    keys = [figure.key for figure in growth[sizes[0]]]
    # A deep page's number depends on the size: it goes in each cell, not in the title.
    titles = {figure.key: re.sub(r" \((\d+|row [^)]*)\)|; p50 [^)]*", "", figure.title) for figure in growth[sizes[0]]}
    lines = ["| figure | " + " | ".join(f"{size:,} contacts" for size in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for key in keys:
        cells = []
        for size in sizes:
            figure = next((f for f in growth[size] if f.key == key), None)
            page = figure.details.get("page", 1) if figure is not None else 1
            cells.append("-" if figure is None else f"{figure.ours:.1f} ms (raw {figure.baseline:.1f})"
                         + (f", page {page:,}" if page > 1 else ""))
        lines.append(f"| {titles[key]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_json(path: Path, figures: list[Figure], growth: dict[int, list[Figure]], meta: dict[str, Any]) -> None:
    """Write every figure (with its ratio and verdict) and the run's settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**meta, "figures": {figure.key: figure.as_dict() for figure in figures},
            "growth": {str(size): {f.key: f.as_dict() for f in items} for size, items in growth.items()}}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
