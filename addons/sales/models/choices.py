"""Choice lists shared by several sales models."""
from __future__ import annotations

__all__ = ["SOURCES", "LEAD_STATUSES", "OPEN_LEAD_STATUSES", "BUYING_ROLES", "ACTIVITY_KINDS", "OPPORTUNITY_STATUSES"]

SOURCES = [
    ("web", "Web"), ("email", "Email"), ("phone", "Phone"), ("partner", "Partner"), ("campaign", "Campaign"),
    ("existing_customer", "Existing customer"), ("event", "Event"), ("other", "Other"),
]
LEAD_STATUSES = [
    ("new", "New"), ("assigned", "Assigned"), ("in_process", "In process"), ("converted", "Converted"),
    ("recycled", "Recycled"), ("dead", "Dead"),
]
#: Leads someone still works on: they count against a member's maximum of open leads.
OPEN_LEAD_STATUSES = ["new", "assigned", "in_process"]
OPPORTUNITY_STATUSES = [("open", "Open"), ("won", "Won"), ("lost", "Lost")]
BUYING_ROLES = [
    ("decision_maker", "Decision maker"), ("influencer", "Influencer"), ("champion", "Champion"),
    ("user", "User"), ("blocker", "Blocker"),
]
ACTIVITY_KINDS = [("call", "Call"), ("meeting", "Meeting"), ("task", "Task"), ("email", "Email"),
                  ("deadline", "Deadline")]
