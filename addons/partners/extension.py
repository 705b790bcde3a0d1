"""What the partners addon adds to other models: the partner of a user, a deal and a lead."""
from __future__ import annotations

from core.declarations import ModelExtension

__all__ = ["extensions"]


def extensions() -> list[ModelExtension]:
    """A partner user's organisation (`users.partner_id`, which the partner record rules
    read as `{"$user": "partner_id"}`); a deal's partner, its protection and product
    category; the partner a lead went to."""
    from sqlalchemy import Date, ForeignKey, String
    from sqlalchemy.orm import relationship

    from core import field

    from addons.partners.models import Partner
    from addons.sales.models import Lead, Opportunity

    return [
        ModelExtension("users", fields={
            "partner_id": field(ForeignKey("partners.id", ondelete="SET NULL"), label="Partner organisation",
                                help="The partner a partner user works for: they see its records only."),
        }),
        ModelExtension("opportunities", fields={
            "partner_id": field(ForeignKey("partners.id", ondelete="SET NULL"), label="Partner", index=True),
            "partner_protected_until": field(Date, label="Partner protected until", readonly=True,
                                             help="Set by an approved deal registration."),
            "product_category": field(String(60), label="Product category",
                                      help="Chooses the partner's commission plan."),
        }, relationships={
            "partner": relationship(Partner, primaryjoin=lambda: Opportunity.partner_id == Partner.id,
                                    foreign_keys=lambda: [Opportunity.partner_id], viewonly=True),
        }),
        ModelExtension("leads", fields={
            "partner_id": field(ForeignKey("partners.id", ondelete="SET NULL"), label="Partner", index=True,
                                readonly=True, help="The partner who accepted the lead's offer."),
        }, relationships={
            "partner": relationship(Partner, primaryjoin=lambda: Lead.partner_id == Partner.id,
                                    foreign_keys=lambda: [Lead.partner_id], viewonly=True),
        }),
    ]
