"""Lead assignment: the first matching rule picks a team; within it, territory narrows the
members, those at their maximum of open leads are skipped, and a smooth weighted
round-robin picks one. Every assignment is logged with its reason.

Smooth weighted round-robin (the one nginx uses): each candidate gains its weight in
credit, the richest takes the lead and pays the candidates' total weight. Weights 2/1/1
give A, B, C, A, A, B, C, A: exactly 4/2/2 over eight leads, interleaved. The credits
after each pick are stored on the assignment log row, so the rotation survives restarts,
a new member starts level with the others, and a skipped member gains nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import func, select

from core.db import db
from core.env import Env

from addons.sales.models import AssignmentRule, Lead, LeadAssignment, SalesTeam, TeamMember
from addons.sales.models.choices import OPEN_LEAD_STATUSES

__all__ = ["assign_lead", "assign_waiting_leads", "smooth_pick", "Pick"]


@dataclass
class Pick:
    """The member chosen and the credits of every member after the pick."""

    member: TeamMember
    rotation: dict[str, int]


def smooth_pick(candidates: Sequence[TeamMember], credits: dict[str, int]) -> Pick:
    """Pick one of `candidates` (in their order on ties) by smooth weighted round-robin."""
    total = sum(member.weight for member in candidates)
    rotation = dict(credits)
    for member in candidates:
        rotation[str(member.id)] = rotation.get(str(member.id), 0) + member.weight
    chosen = max(candidates, key=lambda member: rotation[str(member.id)])  # max keeps the first of equals
    rotation[str(chosen.id)] -= total
    return Pick(chosen, rotation)


def _rules(system: Env) -> list[AssignmentRule]:
    statement = system.records.select("lead_assignment_rules", [["active", "=", True]])
    return list(db.session.scalars(statement.order_by(AssignmentRule.sequence, AssignmentRule.id)))


def _matches(system: Env, rule: AssignmentRule, lead: Lead) -> bool:
    return system.records.count("leads", [rule.domain or [], ["id", "=", lead.id]]).value == 1


def _members(system: Env, team_id: int) -> list[TeamMember]:
    statement = system.records.select("sales_team_members", [["team_id", "=", team_id], ["active", "=", True],
                                                              ["user.active", "=", True]])
    return list(db.session.scalars(statement.order_by(TeamMember.id)))


def _open_leads(system: Env, user_ids: list[int]) -> dict[int, int]:
    leads = system.records.subquery("leads", [["owner_id", "in", user_ids],
                                            ["status", "in", OPEN_LEAD_STATUSES]])
    rows = db.session.execute(select(leads.c.owner_id, func.count()).group_by(leads.c.owner_id))
    return {owner: int(count) for owner, count in rows}


def _credits(system: Env, team_id: int) -> dict[str, int]:
    statement = system.records.select("lead_assignments", [["team_id", "=", team_id],
                                                            ["rotation", "is not null", None]])
    last = db.session.scalar(statement.order_by(LeadAssignment.id.desc()).limit(1))
    return {key: int(value) for key, value in (last.rotation or {}).items()} if last is not None else {}


def _lock_team(system: Env, team_id: int) -> None:
    # Two leads assigned at once must not both read the same credits: on PostgreSQL the
    # team row is locked until the transaction ends (SQLite has one writer anyway).
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(system.records.select("sales_teams", [["id", "=", team_id]])
                           .with_only_columns(SalesTeam.id).with_for_update())


def _name(member: TeamMember) -> str:
    return member.user.name if member.user is not None else f"user #{member.user_id}"


def assign_lead(env: Env, lead: Lead) -> LeadAssignment | None:
    """Assign `lead` by the rules; returns the log entry, or None when no rule could.

    Writes as the platform (the acting user, if any, is stamped as the author).
    """
    system = env.sudo()
    passed: list[str] = []
    for rule in _rules(system):
        if not _matches(system, rule, lead):
            continue
        _lock_team(system, rule.team_id)
        members = _members(system, rule.team_id)
        notes: list[str] = []
        if rule.use_territory:
            members = [m for m in members if m.covers(lead.country, lead.region, lead.postcode)]
            where = ", ".join(part for part in (lead.country, lead.region, lead.postcode) if part) or "no address"
            notes.append(f"territory {where}")
            if not members:
                passed.append(f"rule {rule.name!r}: no member's territory covers {where}")
                continue
        load = _open_leads(system, [m.user_id for m in members])
        full = [m for m in members if m.max_open_leads is not None and load.get(m.user_id, 0) >= m.max_open_leads]
        available = [m for m in members if m not in full]
        notes += [f"skipped {_name(m)} (at the maximum of {m.max_open_leads} open leads)" for m in full]
        if not available:
            passed.append(f"rule {rule.name!r}: every member is at their maximum of open leads")
            continue
        pick = smooth_pick(available, _credits(system, rule.team_id))
        weights = ", ".join(f"{_name(m)} {m.weight}" for m in available)
        reason = "; ".join([f"rule {rule.name!r}", *notes, f"weighted round-robin over {weights}", *passed])
        values: dict[str, Any] = {"team_id": rule.team_id, "owner_id": pick.member.user_id}
        if lead.status in ("new", "recycled"):
            values["status"] = "assigned"
        system.records.update("leads", lead.id, values)
        return system.records.create("lead_assignments", {
            "lead_id": lead.id, "team_id": rule.team_id, "member_id": pick.member.id, "user_id": pick.member.user_id,
            "rule_id": rule.id, "method": "territory" if rule.use_territory else "round_robin", "reason": reason,
            "rotation": pick.rotation,
        })
    return None


def assign_waiting_leads(env: Env, limit: int = 500) -> int:
    """Assign new or recycled leads that have no owner (rules added later, members freed)."""
    statement = env.records.select("leads", [["owner_id", "is null", None], ["status", "in", ["new", "recycled"]]])
    assigned = 0
    for lead in list(db.session.scalars(statement.order_by(Lead.id).limit(limit))):
        if assign_lead(env, lead) is not None:
            assigned += 1
    return assigned
