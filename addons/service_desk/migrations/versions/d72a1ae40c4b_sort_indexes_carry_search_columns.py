"""service_desk: the sort indexes carry the searchable columns and the scopes

The search walks a list down its sort index and tests each row there (search_page in
core.records.pagination): each index of a default order now carries the searchable
columns and the scope fields (owner, team), as far as an entry's size allows, so that
walk reads the index alone (core.models.sorting.covered_columns). PostgreSQL only.

Revision ID: d72a1ae40c4b
Revises: 16af2ad0255d
Create Date: 2026-12-04 10:20:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import recarry_sort_indexes

revision = 'd72a1ae40c4b'
down_revision = '16af2ad0255d'
branch_labels = None
depends_on = None

#: (index, table, key columns, carried columns) of each sort index that carries columns.
CARRYING = [
    ('ix_calendar_holidays_order', 'calendar_holidays', [('calendar_id', False, False), ('day', False, False), ('id', False, False)], ['name']),
    ('ix_sla_policies_order', 'sla_policies', [('sequence', False, False), ('id', False, False)], ['name']),
    ('ix_ticket_attachments_order', 'ticket_attachments', [('ticket_id', False, False), ('id', False, False)], ['filename']),
    ('ix_tickets_order', 'tickets', [('opened_at', True, True), ('id', True, False)], ['number', 'subject', 'assignee_id', 'team_id', 'status']),
]


def upgrade() -> None:
    recarry_sort_indexes(op, CARRYING)


def downgrade() -> None:
    recarry_sort_indexes(op, CARRYING, carrying=False)
