"""What agents do on a ticket: reply or note (with files and a new status), use a canned
response, apply a macro. Each runs as the acting user, so permissions apply."""
from __future__ import annotations

from typing import Any, Iterable

from core.records.errors import ValidationFailed

from addons.service_desk import routing
from addons.service_desk.attachments import attach
from addons.service_desk.templating import placeholders_for, render_template_text

__all__ = ["post_reply", "render_canned", "apply_macro"]


def post_reply(env: Any, ticket: Any, body: str, *, internal: bool = False, status: str | None = None,
               parent_id: int | None = None, files: Iterable[tuple[str, bytes, str | None]] = ()) -> Any:
    """Post a public reply (emailed to the customer) or an internal note, attach `files`
    ((name, content, type) triples), then set `status` if given."""
    if not (body or "").strip():
        raise ValidationFailed({"body": ["Write a message."]})
    message = env.records.create("ticket_messages", {"ticket_id": ticket.id, "body": body, "internal": internal,
                                                     "parent_id": parent_id})
    for name, content, content_type in files:
        attach(env, ticket.id, name, content, content_type, message.id)
    if status and status != ticket.status:
        env.records.update("tickets", ticket.id, {"status": status})
    return message


def render_canned(env: Any, ticket: Any, canned_id: int) -> str:
    """The text of a canned response with its placeholders filled for `ticket`."""
    canned = env.records.get("canned_responses", canned_id)
    return render_template_text(canned.body, placeholders_for(env, ticket))


def apply_macro(env: Any, ticket: Any, macro_id: int) -> dict[str, Any]:
    """Apply a macro: its reply or note first (so a status it sets is the last word), then
    its field changes, in the caller's transaction."""
    macro = env.records.get("helpdesk_macros", macro_id)
    if not macro.active:
        raise ValidationFailed({"macro_id": [f"Macro {macro.name!r} is not active."]})
    message = None
    if macro.canned_response_id is not None:
        message = post_reply(env, ticket, render_canned(env, ticket, macro.canned_response_id),
                             internal=macro.reply_as_note)
    values: dict[str, Any] = {}
    if macro.set_status:
        values["status"] = macro.set_status
    if macro.set_priority:
        values["priority"] = macro.set_priority
    if macro.set_team_id is not None:
        values["team_id"] = macro.set_team_id
    if macro.assign == "me":
        values["assignee_id"] = env.user.id if env.user is not None else None
    elif macro.assign == "user":
        values["assignee_id"] = macro.assign_user_id
    elif macro.assign in ("nobody", "team"):
        values["assignee_id"] = None
    new_tags = [t.strip().lower() for t in (macro.add_tags or "").split(",") if t.strip()]
    if new_tags:
        values["tags"] = list(dict.fromkeys([tag.name for tag in ticket.tags] + new_tags))
    if values:
        env.records.update("tickets", ticket.id, values)
    if macro.assign == "team":
        routing.auto_assign(env, ticket)
    return {"macro": macro.name, "changed": sorted(values), "message_id": message.id if message else None}
