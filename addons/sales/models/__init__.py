"""The sales addon's models, in the order their tables depend on each other."""
from __future__ import annotations

from addons.sales.models.activities import Activity
from addons.sales.models.automation import AssignmentRule, ForecastSnapshot, LeadAssignment, ScoringRule
from addons.sales.models.currency import ExchangeRate
from addons.sales.models.leads import Lead
from addons.sales.models.opportunities import Opportunity, OpportunityContact
from addons.sales.models.pipeline import LostReason, PipelineStage
from addons.sales.models.teams import SalesQuota, SalesTeam, TeamMember

__all__ = [
    "SalesTeam", "TeamMember", "SalesQuota", "ExchangeRate", "PipelineStage", "LostReason", "Opportunity",
    "OpportunityContact", "Lead", "Activity", "AssignmentRule", "LeadAssignment", "ScoringRule",
    "ForecastSnapshot", "MODELS",
]

MODELS = [SalesTeam, TeamMember, SalesQuota, ExchangeRate, PipelineStage, LostReason, Activity, Opportunity,
          OpportunityContact, Lead, AssignmentRule, LeadAssignment, ScoringRule, ForecastSnapshot]
