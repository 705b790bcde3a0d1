"""Totals the database keeps per group of a model's records (see `core.declarations.Summary`).

`totals` builds each declared summary's table and answers "can these totals serve this
condition?"; `ddl` creates, fills and drops the table and the triggers that keep it exact.
"""
from __future__ import annotations

from core.summaries.ddl import create_totals, drop_totals
from core.summaries.totals import SummaryError, Totals, build_totals

__all__ = ["Totals", "SummaryError", "build_totals", "create_totals", "drop_totals"]
