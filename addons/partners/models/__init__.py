"""The partners addon's models, in the order their tables depend on each other."""
from __future__ import annotations

from addons.partners.models.commissions import Commission, CommissionPlan
from addons.partners.models.funds import FundRequest
from addons.partners.models.offers import LeadOffer
from addons.partners.models.partners import Partner, PartnerCertification, PartnerTier
from addons.partners.models.registrations import DealRegistration

__all__ = ["MODELS", "PartnerTier", "Partner", "PartnerCertification", "DealRegistration", "LeadOffer",
           "CommissionPlan", "Commission", "FundRequest"]

MODELS = (PartnerTier, Partner, PartnerCertification, DealRegistration, LeadOffer, CommissionPlan, Commission,
          FundRequest)
