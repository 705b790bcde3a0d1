"""What the sales addon ships as data: roles, permissions, stages, lost reasons, scoring rules."""
from __future__ import annotations

from typing import Any

from core.declarations import DataRecord, Ref, access, role, rule

__all__ = ["shipped_records", "SALES_RECORDS", "CONFIGURATION"]

#: Records salespeople work on every day.
SALES_RECORDS = ("leads", "opportunities", "opportunity_contacts", "activities")
#: Settings of the sales process, kept by managers.
CONFIGURATION = ("pipeline_stages", "lost_reasons", "sales_teams", "sales_team_members", "sales_quotas",
                 "exchange_rates", "lead_assignment_rules", "lead_scoring_rules")

_ME = {"$user": "id"}
# A manager reaches the records of the teams they lead or belong to, and those of no team.
_MY_TEAMS = {"or": [["team.members.user_id", "=", _ME], ["team.leader_id", "=", _ME], ["team_id", "is null", None]]}


def _roles() -> list[DataRecord]:
    return [
        role("sales.salesperson", "Sales: salesperson", implies=["contacts.user"],
             description="Works their own leads, opportunities and activities; reads the sales settings."),
        role("sales.manager", "Sales: team manager", implies=["sales.salesperson"],
             description="Every lead and opportunity of their teams; assigns, deletes, keeps the sales settings."),
        role("sales.director", "Sales: director", implies=["sales.manager"],
             description="Every lead and opportunity of every team."),
    ]


def _access() -> list[DataRecord]:
    data = [access(f"sales.access_{model}_salesperson", "sales.salesperson", model, "rcu")
            for model in ("leads", "opportunities")]
    data += [access(f"sales.access_{model}_salesperson", "sales.salesperson", model, "rcud")
             for model in ("opportunity_contacts", "activities")]
    data += [access(f"sales.access_{model}_salesperson", "sales.salesperson", model, "r")
             for model in (*CONFIGURATION, "lead_assignments")]
    data += [access(f"sales.access_{model}_manager", "sales.manager", model, "rcud")
             for model in (*SALES_RECORDS, *CONFIGURATION)]
    data += [access(f"sales.access_{model}_manager", "sales.manager", model, "r")
             for model in ("lead_assignments", "forecast_snapshots")]
    data += [access(f"sales.access_{model}_director", "sales.director", model, "rcud")
             for model in ("leads", "opportunities")]
    data.append(access("sales.access_forecast_snapshots_director", "sales.director", "forecast_snapshots", "r"))
    return data


def _rules() -> list[DataRecord]:
    own = [["owner_id", "=", _ME]]
    return [
        rule("sales.rule_own_leads", "sales.salesperson", "leads", own, "Own leads"),
        rule("sales.rule_own_opportunities", "sales.salesperson", "opportunities", own, "Own opportunities"),
        rule("sales.rule_own_opportunity_contacts", "sales.salesperson", "opportunity_contacts",
             [["opportunity.owner_id", "=", _ME]], "Contacts of own opportunities"),
        rule("sales.rule_own_activities", "sales.salesperson", "activities",
             {"or": [["user_id", "=", _ME], ["created_by", "=", _ME]]}, "Activities assigned to or planned by me"),
        rule("sales.rule_own_assignments", "sales.salesperson", "lead_assignments",
             [["user_id", "=", _ME]], "Own lead assignments"),
        rule("sales.rule_team_leads", "sales.manager", "leads", _MY_TEAMS, "Leads of my teams"),
        rule("sales.rule_team_opportunities", "sales.manager", "opportunities", _MY_TEAMS, "Opportunities of my teams"),
        rule("sales.rule_team_snapshots", "sales.manager", "forecast_snapshots", _MY_TEAMS,
             "Forecast snapshots of my teams"),
    ]


def _internal_notes() -> list[DataRecord]:
    """The notes of leads and deals are internal: salespeople (and the roles implying
    theirs) read and write them; a role reading deals for someone else (partners,
    customers) does not."""
    return [DataRecord(f"sales.field_{model}_notes_salesperson", "field_access", {
        "role_id": Ref("sales.salesperson"), "model": model, "field_name": "notes", "can_read": True,
        "can_write": True,
    }) for model in ("leads", "opportunities")]


def _stages() -> list[DataRecord]:
    stages = [
        ("new", "New", 10, 10, "pipeline"), ("qualified", "Qualified", 20, 25, "pipeline"),
        ("proposal", "Proposal", 30, 50, "best_case"), ("negotiation", "Negotiation", 40, 75, "commit"),
    ]
    data = [DataRecord(f"sales.stage_{key}", "pipeline_stages", {
        "name": name, "sequence": sequence, "probability": probability, "forecast_category": category,
    }, noupdate=True) for key, name, sequence, probability, category in stages]
    data += [
        DataRecord("sales.stage_won", "pipeline_stages", {"name": "Won", "sequence": 90, "is_won": True},
                   noupdate=True),
        DataRecord("sales.stage_lost", "pipeline_stages", {"name": "Lost", "sequence": 100, "is_lost": True},
                   noupdate=True),
    ]
    return data


def _lost_reasons() -> list[DataRecord]:
    names = ["Price", "Went with a competitor", "No budget", "No decision", "Product does not fit", "Bad timing"]
    return [DataRecord(f"sales.lost_reason_{index}", "lost_reasons", {"name": name}, noupdate=True)
            for index, name in enumerate(names, start=1)]


def _scoring_rules() -> list[DataRecord]:
    rules: list[tuple[str, Any, int]] = [
        ("Company known", [["company_name", "is not null", None]], 10),
        ("Phone number given", [["phone", "is not null", None]], 5),
        ("Referred by a partner or an existing customer", [["source", "in", ["partner", "existing_customer"]]], 20),
        ("Opened two of our emails", [["emails_opened", ">=", 2]], 10),
        ("Clicked a link in our emails", [["emails_clicked", ">=", 1]], 15),
        ("Two activities done", [["activities_done", ">=", 2]], 15),
        ("Budget stated", [["expected_amount", ">", 0]], 10),
        ("Free email address", {"or": [["email", "ilike", "%@gmail.com"], ["email", "ilike", "%@yahoo.com"],
                                       ["email", "ilike", "%@hotmail.com"]]}, -10),
    ]
    return [DataRecord(f"sales.scoring_rule_{index}", "lead_scoring_rules",
                       {"name": name, "domain": domain, "points": points}, noupdate=True)
            for index, (name, domain, points) in enumerate(rules, start=1)]


def shipped_records() -> list[DataRecord]:
    """Everything `register_data` returns, in loading order."""
    return [*_roles(), *_access(), *_rules(), *_internal_notes(), *_stages(), *_lost_reasons(), *_scoring_rules()]
