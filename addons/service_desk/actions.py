"""Record actions of the API: `POST /api/v1/<resource>/<id>/<action>`."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any, Mapping

from marshmallow import Schema, fields, validate

from core.api.actions import ApiAction
from core.records.errors import AccessDenied, ValidationFailed

from addons.service_desk import conversation, customer, kb, presence, routing, sla
from addons.service_desk.calendars import import_holidays, load_calendar
from core.business_time import add_business_time
from addons.service_desk.models.tickets import sla_status_now

__all__ = ["api_actions", "attachments_of"]


def _int(payload: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed({name: ["Give a record id (an integer)."]})
    return value


def attachments_of(payload: Mapping[str, Any]) -> list[tuple[str, bytes, str | None]]:
    """(name, content, type) of the `attachments` of a JSON payload (base64 content)."""
    files = []
    for index, item in enumerate(payload.get("attachments") or []):
        try:
            files.append((str(item["filename"]), base64.b64decode(item["content_base64"], validate=True),
                          item.get("content_type")))
        except (KeyError, TypeError, ValueError):  # binascii.Error, and text that is not ASCII, are ValueErrors
            raise ValidationFailed({"attachments": [
                f"item {index}: give filename and content_base64 (and content_type)"]}) from None
    return files


def _message(env: Any, message: Any) -> dict[str, Any]:
    return env.records.dump("ticket_messages", [message])[0]


def _reply(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    if env.user is not None and env.user.kind == "portal":
        return _message(env, customer.reply(env, ticket.id, str(payload.get("body") or ""), attachments_of(payload)))
    env.policy.require("tickets", "update")
    message = conversation.post_reply(env, ticket, str(payload.get("body") or ""), internal=bool(payload.get("internal")),
                                      status=payload.get("status"), parent_id=_int(payload, "parent_id", required=False),
                                      files=attachments_of(payload))
    return _message(env, message)


def _assign(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    routing.reassign(env, ticket, user_id=_int(payload, "user_id", required=False),
                     team_id=_int(payload, "team_id", required=False))
    return env.records.dump("tickets", [ticket])[0]


def _macro(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    return conversation.apply_macro(env, ticket, _int(payload, "macro_id"))


def _canned(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"body": conversation.render_canned(env, ticket, _int(payload, "canned_response_id"))}


def _rate(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    rated = customer.rate(env, ticket.id, payload.get("rating"), payload.get("comment"))
    return {"csat_rating": rated.csat_rating, "csat_comment": rated.csat_comment}


def _attach(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    from addons.service_desk.attachments import attach

    message_id = _int(payload, "message_id", required=False)
    created = [attach(env, ticket.id, name, content, kind, message_id)
               for name, content, kind in attachments_of(payload)]
    return {"data": env.records.dump("ticket_attachments", created)}


def _suggest(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    articles = kb.suggest_for_ticket(env, ticket)
    return {"data": [{"id": a.id, "title": a.title, "summary": a.summary, "state": a.state} for a in articles]}


def _sla(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket's clocks as computed now (the same whenever computed)."""
    if ticket.sla_policy_id is None:
        return {"policy": None, "clocks": []}
    policy = env.sudo().records.get("sla_policies", ticket.sla_policy_id)
    return {"policy": {"id": policy.id, "name": policy.name}, "status": sla_status_now(ticket, env.now()),
            "clocks": [
        {"target": c.target, "start": c.start.isoformat(), "due_at": c.due_at.isoformat() if c.due_at else None,
         "warn_at": c.warn_at.isoformat() if c.warn_at else None, "met_at": c.met_at.isoformat() if c.met_at else None}
        for c in sla.clocks_of(env, ticket, policy)]}


def _viewing(env: Any, ticket: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Collision notice for API clients: mark the caller as viewing (or, with "leaving",
    as gone) and answer who else has the ticket open."""
    if env.user is None or env.user.kind != "internal":
        raise AccessDenied("only agents are shown to each other on tickets")
    if payload.get("leaving"):
        presence.stop_viewing(env, ticket.id)
    else:
        presence.mark_viewing(env, ticket.id)
    return {"others": presence.other_viewers(env, ticket.id)}


def _import_holidays(env: Any, calendar: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(payload.get("ics"), str):
        raise ValidationFailed({"ics": ["Give the iCalendar file's text."]})
    return import_holidays(env, calendar.id, payload["ics"])


def _business_time(env: Any, calendar: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    try:
        start = datetime.fromisoformat(str(payload.get("start")))
        minutes = int(payload.get("minutes"))
    except (TypeError, ValueError):
        raise ValidationFailed({"start": ["Give start (ISO 8601 with offset) and minutes."]}) from None
    if start.tzinfo is None:
        raise ValidationFailed({"start": ["Give the time with its offset, such as 2026-01-09T17:00:00+01:00."]})
    due = add_business_time(load_calendar(env, calendar.id), start, timedelta(minutes=minutes))
    return {"due_at": due.isoformat() if due else None}


def _restore(env: Any, article: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    restored = kb.restore_version(env, article, _int(payload, "revision"))
    return env.records.dump("kb_articles", [restored])[0]


def _record_id(**options: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1), **options)


class _File(Schema):
    filename = fields.String(required=True, metadata={"description": "Cleaned on upload (core.web.downloads)"})
    content_base64 = fields.String(required=True)
    content_type = fields.String(allow_none=True, validate=validate.Length(max=255))


class _ReplyBody(Schema):
    body = fields.String(validate=validate.Length(max=100_000))
    internal = fields.Boolean()
    status = fields.String(allow_none=True)
    parent_id = _record_id(allow_none=True)
    attachments = fields.List(fields.Nested(_File))


class _AssignBody(Schema):
    user_id = _record_id(allow_none=True)
    team_id = _record_id(allow_none=True)


class _MacroBody(Schema):
    macro_id = _record_id(required=True)


class _CannedBody(Schema):
    canned_response_id = _record_id(required=True)


class _RateBody(Schema):
    rating = fields.Integer(strict=True, allow_none=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=100_000))


class _AttachBody(Schema):
    message_id = _record_id(allow_none=True)
    attachments = fields.List(fields.Nested(_File), required=True, validate=validate.Length(min=1))


class _ViewingBody(Schema):
    leaving = fields.Boolean()


class _HolidaysBody(Schema):
    ics = fields.String(required=True)


class _BusinessTimeBody(Schema):
    start = fields.String(required=True, metadata={"description": "ISO 8601 with offset"})
    minutes = fields.Integer(required=True)


class _RestoreBody(Schema):
    revision = _record_id(required=True)


def api_actions() -> list[ApiAction]:
    """Every action of the addon."""
    return [
        ApiAction("tickets", "reply", _reply, "Post a reply or internal note (customers: a reply)", operation="read",
                  uploads=True, body=_ReplyBody),
        ApiAction("tickets", "assign", _assign, "Assign to a user, or to a team's method", body=_AssignBody),
        ApiAction("tickets", "apply_macro", _macro, "Apply a macro: field changes and a reply in one step",
                  body=_MacroBody),
        ApiAction("tickets", "render_canned", _canned, "A canned response filled in for this ticket", operation="read",
                  body=_CannedBody),
        ApiAction("tickets", "rate", _rate, "The customer rates the resolution (1-5)", operation="read",
                  body=_RateBody),
        ApiAction("tickets", "attach", _attach, "Attach files (base64) to the ticket or one of its messages",
                  uploads=True, body=_AttachBody),
        ApiAction("tickets", "suggest_articles", _suggest, "Knowledge-base articles that may answer the ticket",
                  operation="read"),
        ApiAction("tickets", "sla", _sla, "The ticket's SLA clocks: start, warning, due and met times",
                  operation="read"),
        ApiAction("tickets", "viewing", _viewing, "Collision notice: mark yourself viewing (or leaving) and get "
                  "the other agents who have the ticket open", operation="read", body=_ViewingBody),
        ApiAction("business_calendars", "import_holidays", _import_holidays, "Add holidays from an iCalendar file",
                  uploads=True, body=_HolidaysBody),
        ApiAction("business_calendars", "business_time", _business_time,
                  "The instant `minutes` business minutes after `start`", operation="read", body=_BusinessTimeBody),
        ApiAction("kb_articles", "restore_version", _restore, "Make an earlier revision current again",
                  body=_RestoreBody),
    ]
