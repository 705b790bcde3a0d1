"""Lists, forms, searches and menus of the campaigns addon."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["campaign_views", "campaign_menus"]

_MINE = [["owner_id", "=", {"$user": "id"}]]


def campaign_views() -> list[View]:
    """Segments, campaigns with their messages, members, deliveries and costs, journeys with steps."""
    return [
        View("segments", "list", ["name", "kind", "member_count", "last_refreshed_at", "owner_id"]),
        View("segments", "form", ["name", "kind", "description", "filter", "include_segments", "exclude_segments",
                                  "owner_id"]),
        View("segments", "search", options={"filters": {
            "My segments": _MINE, "Dynamic": [["kind", "=", "dynamic"]], "Static": [["kind", "=", "static"]],
        }, "group_by": ["kind", "owner_id"]}),
        View("segment_members", "list", ["segment_id", "contact_id", "source", "added_at"]),
        View("campaigns", "list", ["name", "status", "starts_on", "ends_on", "budget", "owner_id"]),
        View("campaigns", "form", ["name", "goal", "status", "channel_email", "channel_sms", "channel_task", "topic",
                                   "budget", "currency", "starts_on", "ends_on", "owner_id", "utm_source",
                                   "utm_medium", "utm_campaign"]),
        View("campaigns", "search", options={"filters": {
            "My campaigns": _MINE, "Running": [["status", "=", "running"]],
        }, "group_by": ["status", "owner_id"]}),
        View("campaigns", "detail", options={
            "facts": ["status", "starts_on", "ends_on", "budget", "owner_id"],
            "groups": [("Campaign", ["name", "goal", "topic", "owner_id"]),
                       ("Channels", ["channel_email", "channel_sms", "channel_task"]),
                       ("Budget and period", ["budget", "currency", "starts_on", "ends_on"]),
                       ("Tracking", ["utm_source", "utm_medium", "utm_campaign"])]}),
        View("campaign_messages", "list", ["campaign_id", "channel", "subject", "segment_id", "scheduled_at", "status"]),
        View("campaign_messages", "form", ["campaign_id", "channel", "segment_id", "scheduled_at", "subject", "body",
                                           "sms_text", "task_summary", "variant_subject", "variant_body",
                                           "test_share", "winner_metric", "decide_after_hours"]),
        View("campaign_members", "list", ["campaign_id", "contact_id", "status", "sent_at", "opened_at", "clicked_at",
                                          "converted_at"]),
        View("campaign_members", "search", options={"group_by": ["status", "campaign_id"]}),
        View("campaign_deliveries", "list", ["message_id", "contact_id", "status", "variant", "sent_at", "opened_at",
                                             "clicked_at", "skip_reason"]),
        View("campaign_deliveries", "search", options={"filters": {
            "Skipped": [["status", "=", "skipped"]], "Waiting": [["status", "in", ["pending", "held"]]],
        }, "group_by": ["status", "message_id", "variant"]}),
        View("campaign_costs", "list", ["campaign_id", "channel", "amount", "spent_on", "note"]),
        View("journeys", "list", ["name", "status", "entry_kind", "entry_segment_id", "owner_id"]),
        View("journey_steps", "list", ["journey_id", "position", "kind", "next_step_id"]),
        View("journey_members", "list", ["journey_id", "contact_id", "subject", "current_step_id", "status", "next_run_at"]),
    ]


def campaign_menus() -> list[MenuItem]:
    """The Marketing menu."""
    return [
        MenuItem("campaigns.root", "Marketing"),
        MenuItem("campaigns.campaigns", "Campaigns", model="campaigns", parent="campaigns.root"),
        MenuItem("campaigns.segments", "Segments", model="segments", parent="campaigns.root"),
        MenuItem("campaigns.journeys", "Journeys", model="journeys", parent="campaigns.root"),
        MenuItem("campaigns.messages", "Messages", model="campaign_messages", parent="campaigns.root"),
        MenuItem("campaigns.members", "Campaign members", model="campaign_members", parent="campaigns.root"),
        MenuItem("campaigns.deliveries", "Deliveries", model="campaign_deliveries", parent="campaigns.root"),
        MenuItem("campaigns.costs", "Costs", model="campaign_costs", parent="campaigns.root"),
        MenuItem("campaigns.roi", "ROI", model="campaigns", url="/campaigns/roi", parent="campaigns.root"),
        MenuItem("campaigns.calls", "My call list", model="campaign_deliveries", url="/campaigns/calls",
                 parent="campaigns.root"),
    ]
