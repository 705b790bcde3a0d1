"""What the campaigns addon ships as data: the Marketing roles, their access and record rules."""
from __future__ import annotations

from core.declarations import DataRecord, access, role, rule

__all__ = ["shipped_records", "OWNED", "CHILDREN"]

_ME = {"$user": "id"}
#: Models with an owner: a marketing user works their own, a manager every one.
OWNED = ("segments", "campaigns", "journeys")
#: Models reached through an owned record: (model, path to the owner, operations of a user).
CHILDREN = (
    ("segment_members", "segment.owner_id", "rcud"),
    ("campaign_messages", "campaign.owner_id", "rcud"),
    ("campaign_costs", "campaign.owner_id", "rcud"),
    ("campaign_members", "campaign.owner_id", "r"),
    ("journey_steps", "journey.owner_id", "rcud"),
    ("journey_members", "journey.owner_id", "r"),
    ("campaign_attributions", "campaign.owner_id", "r"),
)


def shipped_records() -> list[DataRecord]:
    """Roles: marketing users (their own segments, campaigns and journeys, and the
    contacts their Contacts role shows) and managers (every one, and every contact)."""
    data = [
        role("campaigns.user", "Marketing: user", implies=["base.user"],
             description="Works their own segments, campaigns and journeys; reaches the contacts a Contacts role "
                         "gives them."),
        role("campaigns.manager", "Marketing: manager", implies=["campaigns.user", "contacts.user"],
             description="Every segment, campaign and journey, and every contact."),
    ]
    for model in OWNED:
        data += [
            access(f"campaigns.access_{model}_user", "campaigns.user", model, "rcud"),
            access(f"campaigns.access_{model}_manager", "campaigns.manager", model, "rcud"),
            rule(f"campaigns.rule_own_{model}", "campaigns.user", model, [["owner_id", "=", _ME]], f"Own {model}"),
        ]
    for model, owner, ops in CHILDREN:
        data += [
            access(f"campaigns.access_{model}_user", "campaigns.user", model, ops),
            access(f"campaigns.access_{model}_manager", "campaigns.manager", model, "rcud"),
            rule(f"campaigns.rule_own_{model}", "campaigns.user", model, [[owner, "=", _ME]],
                 f"{model.replace('_', ' ').capitalize()} of own records"),
        ]
    # What ran for each journey member, and each message's deliveries, are read only, by
    # managers too: a run or a delivery deleted would let its step or message go again.
    data += [
        access("campaigns.access_campaign_deliveries_user", "campaigns.user", "campaign_deliveries", "r"),
        access("campaigns.access_campaign_deliveries_manager", "campaigns.manager", "campaign_deliveries", "r"),
        rule("campaigns.rule_own_campaign_deliveries", "campaigns.user", "campaign_deliveries",
             [["campaign.owner_id", "=", _ME]], "Campaign deliveries of own records"),
        access("campaigns.access_journey_step_runs_user", "campaigns.user", "journey_step_runs", "r"),
        access("campaigns.access_journey_step_runs_manager", "campaigns.manager", "journey_step_runs", "r"),
        rule("campaigns.rule_own_journey_step_runs", "campaigns.user", "journey_step_runs",
             [["member.journey.owner_id", "=", _ME]], "Journey step runs of own journeys"),
    ]
    # Anyone may be given calls to make (a salesperson without a Marketing role): they read
    # the call-list deliveries assigned to them; `addons.campaigns.calls` records the outcome.
    data += [
        access("campaigns.access_campaign_deliveries_caller", "base.user", "campaign_deliveries", "r"),
        rule("campaigns.rule_calls_assigned", "base.user", "campaign_deliveries", [["assignee_id", "=", _ME]],
             "Calls assigned to me"),
    ]
    return data
