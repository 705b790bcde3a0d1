"""API endpoints beyond records: service metrics, ranked article search, and a
customer opening a ticket.

`GET /api/v1/_service_desk/metrics?filter=<domain on tickets>`,
`GET /api/v1/_service_desk/kb/search?q=<words>` and
`POST /api/v1/_service_desk/portal/tickets` (a portal user's new ticket: subject, body,
attachments as in the `reply` action); token or session authentication, problem+json
errors, record rules of the caller applied (a customer's search finds published
articles only).
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from core.api.bodies import json_body
from core.api.problems import answer_errors_as_problems
from core.db import db
from core.domain import parse_domain
from core.jobs.http import acting_env
from core.request_limits import accepts_uploads
from core.web.security import csrf

from addons.service_desk import customer, kb, metrics

__all__ = ["blueprint"]

blueprint = Blueprint("service_desk_api", __name__, url_prefix="/api/v1/_service_desk")
# Bearer-token callers have no CSRF token; session writes are checked in acting_env().
csrf.exempt(blueprint)


answer_errors_as_problems(blueprint)


@blueprint.get("/metrics")
def service_metrics() -> Response:
    """First response and resolution times, SLA compliance, backlog by age, CSAT, channels."""
    env = acting_env()
    env.policy.require("ticket_sla_events", "read")
    return jsonify(metrics.summary(env, parse_domain(request.args.get("filter")) or None))


@blueprint.get("/kb/search")
def search() -> Response:
    """Articles matching the words of `q`, best first (at most `limit`, default 10)."""
    env = acting_env()
    limit = min(max(request.args.get("limit", 10, type=int), 1), 50)
    articles = kb.search_articles(env, request.args.get("q", ""), limit=limit)
    return jsonify({"data": env.records.dump("kb_articles", articles, ["id", "title", "summary", "state",
                                                                      "category_id"])})


@blueprint.post("/portal/tickets")
@accepts_uploads
def open_ticket() -> tuple[Response, int]:
    """A customer opens a ticket with their first message and files (201, the ticket)."""
    from addons.service_desk.actions import attachments_of

    env = acting_env()
    body = json_body(optional=True)
    ticket = customer.open_ticket(env, str(body.get("subject") or ""), str(body.get("body") or ""),
                                  attachments_of(body))
    db.session.commit()
    return jsonify(env.records.dump("tickets", [env.records.get("tickets", ticket.id)])[0]), 201
