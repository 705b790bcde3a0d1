"""The sales addon's models, in the order their tables depend on each other, and the one
technical table that is not a record."""
from __future__ import annotations

from sqlalchemy import Column, String, Table

from core.db import UtcDateTime, db

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
    "ForecastSnapshot", "MODELS", "web_form_tokens",
]

MODELS = [SalesTeam, TeamMember, SalesQuota, ExchangeRate, PipelineStage, LostReason, Activity, Opportunity,
          OpportunityContact, Lead, AssignmentRule, LeadAssignment, ScoringRule, ForecastSnapshot]

#: Web-form tokens already used, each kept until it would have expired anyway: one
#: submission per token (addons/sales/capture.py). Not a record: a used token means
#: nothing beyond the lead it made, and nobody reads or edits it.
web_form_tokens = Table(
    "sales_web_form_tokens",
    db.metadata,
    Column("token_id", String(32), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
