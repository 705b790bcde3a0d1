"""What the analytics addon adds to the contacts addon's contacts: their RFM scores and
segment, their value and value tier, their predicted purchases, churn risk and lifetime
value, and their membership renewal probability, usable in filters, segments and list views."""
from __future__ import annotations

from typing import Any

from core.declarations import ModelExtension

__all__ = ["extensions"]


def extensions() -> list[ModelExtension]:
    """`contacts.rfm_recency`, `rfm_frequency`, `rfm_monetary` (1-5, 5 best), `rfm_segment`
    and `rfm_computed_at`, empty for a contact with no purchase in the RFM window;
    `customer_value` (revenue minus cost to serve) and `value_tier`, empty for a contact
    with neither in the value period; `ltv_expected_purchases`, `ltv_probability_alive`,
    `ltv_churn_risk` and `ltv_value` (addons.analytics.ltv), empty for a contact with no
    purchase in the calibration window; `renewal_probability`, empty unless a member in
    the last year."""
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
        "ltv_expected_purchases": field(Numeric(12, 4), label="Expected purchases", readonly=True,
                                        help="Purchases expected over the horizon (analytics_ltv_horizon_days, a year "
                                             "by default), by the BG/NBD model."),
        "ltv_probability_alive": field(Numeric(5, 4), label="Probability active", readonly=True,
                                       help="0-1: the probability they still buy, by the BG/NBD model."),
        "ltv_churn_risk": field(Numeric(5, 4), label="Churn risk", readonly=True, index=True,
                                help="0-1: one minus the probability they still buy."),
        "ltv_value": field(Numeric(24, 8), label="Predicted lifetime value", kind="money", readonly=True,
                           currency_setting="company_currency",
                           help="Expected purchases over the horizon times expected spend per purchase "
                                "(Gamma-Gamma), undiscounted."),
        "renewal_probability": field(Numeric(5, 4), label="Renewal probability", readonly=True,
                                     help="0-1: the share of members with as many years who renewed, for a member "
                                          "who paid in the last year."),
    })]
