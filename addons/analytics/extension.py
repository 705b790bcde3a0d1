"""What the analytics addon adds to the contacts addon's contacts: their RFM scores and
segment, their value and value tier, usable in filters, segments and list views."""
from __future__ import annotations

from typing import Any

from core.declarations import ModelExtension

__all__ = ["extensions"]


def extensions() -> list[ModelExtension]:
    """`contacts.rfm_recency`, `rfm_frequency`, `rfm_monetary` (1-5, 5 best), `rfm_segment`
    and `rfm_computed_at`, empty for a contact with no purchase in the RFM window;
    `customer_value` (revenue minus cost to serve) and `value_tier`, empty for a contact
    with neither in the value period."""
    from sqlalchemy import Integer, Numeric, String

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
        "rfm_computed_at": field(UtcDateTime, label="RFM computed", readonly=True,
                                 help="When the scores were last set (a computation that finds them unchanged "
                                      "leaves them)."),
        "customer_value": field(Numeric(24, 8), label="Customer value", kind="money", readonly=True,
                                currency_setting="company_currency",
                                help="Revenue minus cost to serve over the value period (12 months by default)."),
        "value_tier": field(String(40), label="Value tier", readonly=True, index=True,
                            help="The tier the customer value falls in (setting analytics_value_tiers)."),
    })]
