"""The campaigns addon's models: segments, campaigns with their messages, members and
costs, and journeys with their steps and members."""
from __future__ import annotations

from addons.campaigns.models.campaigns import Campaign, CampaignCost, CampaignMember, CampaignMessage
from addons.campaigns.models.journeys import Journey, JourneyMember, JourneyStep
from addons.campaigns.models.segments import Segment, SegmentMember, segment_memberships

__all__ = ["MODELS", "Segment", "SegmentMember", "segment_memberships", "Campaign", "CampaignMessage",
           "CampaignMember", "CampaignCost", "Journey", "JourneyStep", "JourneyMember"]

MODELS = (Segment, SegmentMember, Campaign, CampaignMessage, CampaignMember, CampaignCost, Journey, JourneyStep,
          JourneyMember)
