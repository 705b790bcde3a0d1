"""The campaigns addon's models: segments, campaigns with their messages, members,
deliveries and costs, and journeys with their steps and members; the credit campaigns earn for conversions."""
from __future__ import annotations

from addons.campaigns.models.attributions import CampaignAttribution
from addons.campaigns.models.campaigns import Campaign, CampaignCost, CampaignMember, CampaignMessage
from addons.campaigns.models.deliveries import CampaignDelivery
from addons.campaigns.models.journeys import Journey, JourneyMember, JourneyStep, JourneyStepRun
from addons.campaigns.models.segments import Segment, SegmentMember, segment_memberships

__all__ = ["MODELS", "Segment", "SegmentMember", "segment_memberships", "Campaign", "CampaignMessage",
           "CampaignMember", "CampaignDelivery", "CampaignCost", "Journey", "JourneyStep", "JourneyMember", "JourneyStepRun",
           "CampaignAttribution"]

MODELS = (Segment, SegmentMember, Campaign, CampaignMessage, CampaignMember, CampaignDelivery, CampaignCost, Journey, JourneyStep,
          JourneyMember, JourneyStepRun, CampaignAttribution)
