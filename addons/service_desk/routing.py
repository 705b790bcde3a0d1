"""Assigning tickets to agents of a team: round-robin, least open tickets, or skill match.

Only available members of active accounts below their open-ticket limit are candidates.
Every answer is derived from the database (open tickets per agent, when each agent was
last given a ticket of the team), so two workers assigning at once need no shared
counter and a restart forgets nothing.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.db import db

from addons.service_desk.lookup import all_records
from addons.service_desk.models.tickets import OPEN_STATUSES

__all__ = ["candidates", "open_counts", "pick_agent", "auto_assign", "reassign"]


def open_counts(env: Any, user_ids: list[int]) -> dict[int, int]:
    """Open tickets assigned to each of `user_ids` (counted in SQL)."""
    if not user_ids:
        return {}
    visible = env.sudo().records.subquery("tickets", [["status", "in", list(OPEN_STATUSES)],
                                                      ["assignee_id", "in", user_ids]])
    rows = db.session.execute(select(visible.c.assignee_id, func.count()).group_by(visible.c.assignee_id))
    return {user_id: int(count) for user_id, count in rows}


def _last_assigned(env: Any, team_id: int, user_ids: list[int]) -> dict[int, Any]:
    visible = env.sudo().records.subquery("tickets", [["team_id", "=", team_id], ["assignee_id", "in", user_ids]])
    rows = db.session.execute(select(visible.c.assignee_id, func.max(visible.c.assigned_at))
                              .group_by(visible.c.assignee_id))
    return dict(rows.all())


def candidates(env: Any, team: Any, ticket: Any) -> list[Any]:
    """Members of `team` who may get `ticket` now, in membership order."""
    from addons.service_desk.models.teams import HelpdeskTeamMember

    members = all_records(env.sudo(), "team_members", [["team_id", "=", team.id], ["available", "=", True],
                                                         ["user.active", "=", True]], [HelpdeskTeamMember.id])
    if team.assignment_method == "skill_match" and ticket.category_id is not None:
        category = env.sudo().records.get("ticket_categories", ticket.category_id)
        if category.skill_id is not None:
            members = [m for m in members if any(skill.id == category.skill_id for skill in m.skills)]
    limited = [m for m in members if m.max_open_tickets is not None]
    if limited:
        counts = open_counts(env, [m.user_id for m in limited])
        members = [m for m in members if m.max_open_tickets is None or counts.get(m.user_id, 0) < m.max_open_tickets]
    return members


def pick_agent(env: Any, team: Any, ticket: Any) -> int | None:
    """The user id the team's method gives `ticket` to, or None (manual team, nobody free)."""
    if team.assignment_method == "manual" or not team.active:
        return None
    members = candidates(env, team, ticket)
    if not members:
        return None
    user_ids = [m.user_id for m in members]
    if team.assignment_method == "round_robin":
        last = _last_assigned(env, team.id, user_ids)
        # Whoever got a ticket of this team longest ago (or never) is next; membership order breaks ties.
        return min(members, key=lambda m: (last.get(m.user_id) is not None, last.get(m.user_id) or 0,
                                           m.id)).user_id
    counts = open_counts(env, user_ids)
    return min(members, key=lambda m: (counts.get(m.user_id, 0), m.id)).user_id


def auto_assign(env: Any, ticket: Any) -> int | None:
    """Give an unassigned ticket of a team to the agent the team's method picks."""
    if ticket.team_id is None or ticket.assignee_id is not None:
        return None
    team = env.sudo().records.get("helpdesk_teams", ticket.team_id)
    user_id = pick_agent(env, team, ticket)
    if user_id is not None:
        env.sudo().records.update("tickets", ticket.id, {"assignee_id": user_id})
    return user_id


def reassign(env: Any, ticket: Any, *, user_id: int | None = None, team_id: int | None = None) -> Any:
    """Manual reassignment: to a user, or to a team whose method then picks the agent."""
    values: dict[str, Any] = {}
    if team_id is not None:
        values["team_id"] = team_id
    values["assignee_id"] = user_id
    env.records.update("tickets", ticket.id, values)
    if user_id is None:
        auto_assign(env, ticket)
    return ticket
