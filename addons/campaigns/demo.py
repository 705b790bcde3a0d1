"""Demo segments of the demo contacts, owned by the demo users: a static list, a few
dynamic ones, and one that includes and excludes others; then three finished campaigns
(`demo_campaigns`) and the running "Welcome series" journey (`journeys.demo`)."""
from __future__ import annotations

from core.declarations import DataRecord, Ref

__all__ = ["demo_records"]


def demo_records(seed: int) -> list[DataRecord]:
    """The same segments whatever the seed (they are defined by filters, not by picks), then
    the demo campaigns."""
    from addons.campaigns.demo_campaigns import campaign_records
    from addons.campaigns.journeys.demo import journey_records

    return [
        DataRecord("campaigns.demo_segment_newsletter", "segments", {
            "name": "Newsletter subscribers", "kind": "dynamic",
            "description": "Contacts who agreed to email, at accounts tagged newsletter.",
            "filter": [["consent_email", "=", True], ["account.tags.name", "=", "newsletter"]],
        }),
        DataRecord("campaigns.demo_segment_engaged", "segments", {
            "name": "Engaged by email this quarter", "kind": "dynamic",
            "description": "An inbound email in the last 90 days.",
            "filter": [["interactions.channel", "=", "email"], ["interactions.direction", "=", "inbound"],
                       ["interactions.occurred_at", ">=", {"$now": {"days": -90}}]],
        }),
        DataRecord("campaigns.demo_segment_retail", "segments", {
            "name": "Retail accounts", "kind": "dynamic",
            "filter": [["account.industry", "=", "retail"]],
        }),
        DataRecord("campaigns.demo_segment_vip", "segments", {
            "name": "VIP guest list", "kind": "static",
            "description": "Invited by hand to the customer day.",
        }),
        DataRecord("campaigns.demo_segment_spring", "segments", {
            "name": "Spring campaign audience", "kind": "dynamic",
            "description": "Newsletter subscribers and the VIP guests, without retail accounts.",
            "include_segments": [Ref("campaigns.demo_segment_newsletter"), Ref("campaigns.demo_segment_vip")],
            "exclude_segments": [Ref("campaigns.demo_segment_retail")],
        }),
        *[DataRecord(f"campaigns.demo_segment_vip_{a}", "segment_members", {
            "segment_id": Ref("campaigns.demo_segment_vip"), "contact_id": Ref(f"contacts.demo_contact_{a}_1"),
            "source": "manual"}) for a in range(1, 7)],
        *campaign_records(seed),
        *journey_records(),
    ]
