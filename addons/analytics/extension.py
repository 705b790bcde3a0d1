"""What the analytics addon adds to the contacts addon's contacts: their RFM scores and
segment, usable in filters, segments and list views."""
from __future__ import annotations

from typing import Any

from core.declarations import ModelExtension

__all__ = ["extensions"]


def extensions() -> list[ModelExtension]:
    """`contacts.rfm_recency`, `rfm_frequency`, `rfm_monetary` (1-5, 5 best), `rfm_segment`
    and `rfm_computed_at`; empty for a contact with no purchase in the RFM window."""
    from sqlalchemy import Integer, String

    from core import field
    from core.db import UtcDateTime

    from addons.analytics.segments import SEGMENTS

    def score(label: str, help_: str) -> Any:
        return field(Integer, label=label, readonly=True, help=help_)

    return [ModelExtension("contacts", fields={
        "rfm_recency": score("RFM recency", "1-5: how recently they last bought, among customers (5: most recently)."),
        "rfm_frequency": score("RFM frequency", "1-5: how often they bought in the RFM window (5: most often)."),
        "rfm_monetary": score("RFM monetary", "1-5: how much they spent in the RFM window (5: most)."),
        "rfm_segment": field(String(20), label="RFM segment", choices=SEGMENTS, readonly=True, index=True),
        "rfm_computed_at": field(UtcDateTime, label="RFM computed", readonly=True),
    })]
