"""Roles, model access and record rules of the partners addon.

Channel managers work the partners they manage and everything of those partners;
partner managers (heads of the channel) work every partner. Partner users (the
kernel's `base.partner` kind) read their own organisation's records only: its leads,
opportunities, registrations, offers, commissions and fund requests, never another
partner's. What they change goes through the portal's functions
(`addons.partners.portal.actions`), which check the record is theirs to read, then
write exactly the fields a partner may give.
"""
from __future__ import annotations

from typing import Any

from core.declarations import DataRecord, Ref, access, role, rule

__all__ = ["shipped_records", "PARTNER_RECORDS", "CONFIGURATION", "own_partner"]

#: What channel managers work on, per partner.
PARTNER_RECORDS = ("partners", "partner_certifications", "deal_registrations", "lead_offers", "commissions",
                   "fund_requests")
#: The programme's settings, kept by partner managers and read by channel managers.
CONFIGURATION = ("partner_tiers", "commission_plans")
_ME = {"$user": "id"}


def own_partner(path: str) -> list[Any]:
    """Records whose `path` is the acting partner user's organisation; nothing for a
    partner user linked to none (`= null` alone would match every record without one)."""
    return [[path, "is not null", None], [path, "=", {"$user": "partner_id"}]]


def _roles() -> list[DataRecord]:
    return [
        role("partners.channel_manager", "Partners: channel manager", implies=["sales.salesperson"],
             description="Works the partners they manage: registrations, offers, commissions, funds, tiers."),
        role("partners.manager", "Partners: manager", implies=["partners.channel_manager"],
             description="Every partner; keeps the tiers and commission plans."),
    ]


def _staff_access() -> list[DataRecord]:
    data = [access(f"partners.access_{model}_salesperson", "sales.salesperson", model, "r")
            for model in ("partners", "partner_tiers", "partner_certifications")]
    data += [access(f"partners.access_{model}_channel", "partners.channel_manager", model, "rcu")
             for model in PARTNER_RECORDS]
    data += [access(f"partners.access_{model}_channel", "partners.channel_manager", model, "r")
             for model in CONFIGURATION]
    data += [access(f"partners.access_{model}_manager", "partners.manager", model, "rcud")
             for model in (*PARTNER_RECORDS, *CONFIGURATION)]
    data += [access(f"partners.access_{model}_{role_}", f"partners.{role_}", model, "rcu")
             for model in ("leads", "opportunities") for role_ in ("channel_manager", "manager")]
    return data


def _staff_fields() -> list[DataRecord]:
    """Channel managers read the conflicts found for a registration (they name other partners)."""
    return [DataRecord("partners.field_registration_conflicts_channel", "field_access", {
        "role_id": Ref("partners.channel_manager"), "model": "deal_registrations", "field_name": "conflicts",
        "can_read": True, "can_write": False,
    })]


def _staff_rules() -> list[DataRecord]:
    mine = [["partner.channel_manager_id", "=", _ME]]
    data = [rule("partners.rule_channel_partners", "partners.channel_manager", "partners",
                 [["channel_manager_id", "=", _ME]], "Channel managers: the partners they manage")]
    data += [rule(f"partners.rule_channel_{model}", "partners.channel_manager", model, mine,
                  "Channel managers: records of the partners they manage")
             for model in PARTNER_RECORDS if model != "partners"]
    data += [rule(f"partners.rule_channel_{model}", "partners.channel_manager", model,
                  {"or": [["owner_id", "=", _ME], ["partner.channel_manager_id", "=", _ME]]},
                  f"Channel managers: own {model} and those of the partners they manage")
             for model in ("leads", "opportunities")]
    # The pool they offer to partners: leads nobody works yet.
    data.append(rule("partners.rule_channel_unassigned_leads", "partners.channel_manager", "leads",
                     [["owner_id", "is null", None], ["partner_id", "is null", None]],
                     "Channel managers: leads of nobody, to offer to partners"))
    data += [rule(f"partners.rule_manager_{model}", "partners.manager", model,
                  {"or": [["owner_id", "=", _ME], ["partner_id", "is not null", None]]},
                  f"Partner managers: own {model} and those of every partner")
             for model in ("leads", "opportunities")]
    return data


def _partner_user_records() -> list[DataRecord]:
    readable = {"partners": "id", "partner_certifications": "partner_id", "lead_offers": "partner_id",
                "commissions": "partner_id", "deal_registrations": "partner_id", "fund_requests": "partner_id",
                "leads": "partner_id", "opportunities": "partner_id"}
    data = [access("partners.access_partner_tiers_partner", "base.partner", "partner_tiers", "r")]
    for model, path in readable.items():
        data.append(access(f"partners.access_{model}_partner", "base.partner", model, "r"))
        data.append(rule(f"partners.rule_partner_{model}", "base.partner", model, own_partner(path),
                         f"Partner users: their organisation's {model.replace('_', ' ')}"))
    return data


def shipped_records() -> list[DataRecord]:
    """Everything `register_data` returns, in loading order."""
    return [*_roles(), *_staff_access(), *_staff_fields(), *_staff_rules(), *_partner_user_records()]
