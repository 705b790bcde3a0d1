"""Events of the campaigns addon (blinker).

- `segment_refreshed`: a segment's materialised members were computed again (sender
  "segments"): `segment_id`, `env`, and `contact_ids` when only those contacts were
  looked at (None: the whole segment).
"""
from __future__ import annotations

from blinker import Namespace

__all__ = ["segment_refreshed"]

_signals = Namespace()

segment_refreshed = _signals.signal("campaigns-segment-refreshed",
                                    doc="A segment's members were computed again (sender: \"segments\").")
