"""Tickets as costs to serve their customer, for analytics' value tiers (analytics'
`analytics_cost_sources` hook; the service desk does not depend on analytics).

Each ticket of a contact costs `service_desk_cost_per_ticket` (company currency) on the
day it was opened; 0, the default, costs nothing and gives no cost. Tickets are read in
the order of their last change (`core.records.changes`), so a ticket given another
customer moves its cost, and one without a customer is withdrawn.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.changes import changed_between, watermark_of

__all__ = ["cost_sources", "read_ticket_costs", "SOURCE_KEY"]

SOURCE_KEY = "service_desk.tickets"


def read_ticket_costs(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` tickets changed since `watermark` until `until`, each costing the
    set price per ticket to its contact."""
    price = Decimal(str(env.platform.settings["service_desk_cost_per_ticket"]))
    tickets = env.records.subquery("tickets")
    read = db.session.execute(
        select(tickets.c.id, tickets.c.contact_id, tickets.c.opened_at, tickets.c.created_at, tickets.c.updated_at)
        .where(changed_between(tickets.c, watermark, until))
        .order_by(tickets.c.updated_at, tickets.c.id).limit(limit)).all()
    rows, withdrawn = [], []
    for ticket in read:
        if ticket.contact_id is None or price <= 0:
            withdrawn.append(ticket.id)
        else:
            rows.append((ticket.id, ticket.contact_id, (ticket.opened_at or ticket.created_at).date(), price, None))
    return {"rows": rows, "withdrawn": withdrawn, "watermark": watermark_of(read, watermark)}


def cost_sources() -> list[dict[str, Any]]:
    """Tickets, as service costs."""
    return [{"key": SOURCE_KEY, "kind": "service_cost", "read": read_ticket_costs}]
