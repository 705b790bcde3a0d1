"""Blocks on detail pages: the ticket's conversation (reply box, canned responses,
macros, assignment), its SLA clocks, who else has it open, suggested articles; holiday
import on calendars; revisions on articles."""
from __future__ import annotations

from typing import Any

from flask import render_template, request

from core.declarations import DetailPanel, QuickAction
from core.records.errors import RecordError
from core.web.rendering import user_zone

from addons.service_desk import kb, presence, sla
from addons.service_desk.lookup import all_records
from addons.service_desk.models.sla import TARGETS
from addons.service_desk.models.tickets import STATUSES, sla_status_now

__all__ = ["panels"]


def _is_ticket(resource: str) -> bool:
    return resource == "tickets"


def _presence(env: Any, ticket: Any) -> str:
    if env.user is None or env.user.kind != "internal":
        return ""
    return render_template("service_desk/panels/presence.html", ticket=ticket,
                           others=presence.other_viewers(env, ticket.id), heartbeat=presence.HEARTBEAT)


def _conversation(env: Any, ticket: Any) -> str:
    from addons.service_desk.conversation import render_canned
    from addons.service_desk.models import (
        CannedResponse, HelpdeskMacro, HelpdeskTeam, HelpdeskTeamMember, TicketAttachment, TicketMessage,
    )

    messages = all_records(env, "ticket_messages", [["ticket_id", "=", ticket.id]], [TicketMessage.sent_at,
                                                                                    TicketMessage.id])
    files: dict[int | None, list[Any]] = {}
    if env.policy.can("ticket_attachments", "read"):
        for item in all_records(env, "ticket_attachments", [["ticket_id", "=", ticket.id]], [TicketAttachment.id]):
            files.setdefault(item.message_id, []).append(item)
    can_reply = env.policy.can("ticket_messages", "create") and env.user is not None and env.user.kind == "internal"
    canned, macros, agents, teams, prefill, error = [], [], [], [], "", None
    if can_reply:
        canned = all_records(env, "canned_responses", [["active", "=", True], {"or": [
            ["team_id", "is null", None], ["team_id", "=", ticket.team_id or 0]]}], [CannedResponse.name])
        if env.policy.can("helpdesk_macros", "read"):
            macros = all_records(env, "helpdesk_macros", [["active", "=", True]], [HelpdeskMacro.name])
        if env.policy.can("team_members", "read"):
            members = all_records(env, "team_members", [["user.active", "=", True]], [HelpdeskTeamMember.id])
            agents = sorted({(m.user_id, m.agent_name) for m in members}, key=lambda pair: pair[1])
        if env.policy.can("helpdesk_teams", "read"):
            teams = all_records(env, "helpdesk_teams", [["active", "=", True]], [HelpdeskTeam.name])
        chosen = request.args.get("canned", type=int)
        if chosen:
            try:
                prefill = render_canned(env, ticket, chosen)
            except RecordError as failure:
                error = str(failure)
    return render_template("service_desk/panels/conversation.html", ticket=ticket, messages=messages, files=files,
                           zone=user_zone(env), can_reply=can_reply, canned=canned, macros=macros, agents=agents,
                           teams=teams, prefill=prefill, error=error, statuses=STATUSES)


def _sla(env: Any, ticket: Any) -> str:
    if ticket.sla_policy_id is None:
        return render_template("service_desk/panels/sla.html", policy=None, clocks=[], events=[])
    from addons.service_desk.models import TicketSlaEvent

    policy = env.sudo().records.get("sla_policies", ticket.sla_policy_id)
    events = all_records(env, "ticket_sla_events", [["ticket_id", "=", ticket.id]], [TicketSlaEvent.occurred_at]) \
        if env.policy.can("ticket_sla_events", "read") else []
    return render_template("service_desk/panels/sla.html", policy=policy, clocks=sla.clocks_of(env, ticket, policy),
                           events=events, targets=dict(TARGETS), zone=user_zone(env), ticket=ticket,
                           status=sla_status_now(ticket, env.now()))


def _suggestions(env: Any, ticket: Any) -> str:
    return render_template("service_desk/panels/suggestions.html", articles=kb.suggest_for_ticket(env, ticket))


def _holidays(env: Any, calendar: Any) -> str:
    if not env.policy.can("calendar_holidays", "create"):
        return ""
    return render_template("service_desk/panels/holidays.html", calendar=calendar)


def _revisions(env: Any, article: Any) -> str:
    from addons.service_desk.models import KbArticleVersion

    if not env.policy.can("kb_article_versions", "read"):
        return ""
    versions = all_records(env, "kb_article_versions", [["article_id", "=", article.id]],
                           [KbArticleVersion.revision.desc()])
    return render_template("service_desk/panels/revisions.html", article=article, versions=versions,
                           zone=user_zone(env), can_restore=env.policy.can("kb_articles", "update"))


def panels() -> list[DetailPanel]:
    """The addon's detail panels, in the order they appear."""
    return [
        DetailPanel("service_desk.presence", "Who else is here", _is_ticket, _presence, position=5),
        DetailPanel("service_desk.conversation", "Conversation", _is_ticket, _conversation,
                    quick_actions=(QuickAction("Reply", focus="body", style="primary"),),
                    replaces=("contacts.timeline",), covers=("ticket_messages",), position=10),
        DetailPanel("service_desk.sla", "SLA", _is_ticket, _sla),
        DetailPanel("service_desk.suggestions", "Suggested articles", _is_ticket, _suggestions),
        DetailPanel("service_desk.holidays", "Import holidays", lambda resource: resource == "business_calendars",
                    _holidays),
        DetailPanel("service_desk.revisions", "Revisions", lambda resource: resource == "kb_articles", _revisions),
    ]
