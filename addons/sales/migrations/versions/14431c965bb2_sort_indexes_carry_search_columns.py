"""sales: the sort indexes carry the searchable columns and the scopes

The search walks a list down its sort index and tests each row there (search_page in
core.records.pagination): each index of a default order now carries the searchable
columns and the scope fields (owner, team), as far as an entry's size allows, so that
walk reads the index alone (core.models.sorting.covered_columns). PostgreSQL only.

Revision ID: 14431c965bb2
Revises: f04960bd6a0f
Create Date: 2026-12-04 10:20:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import recarry_sort_indexes

revision = '14431c965bb2'
down_revision = 'f04960bd6a0f'
branch_labels = None
depends_on = None

#: (index, table, key columns, carried columns) of each sort index that carries columns.
CARRYING = [
    ('ix_activities_order', 'activities', [('due_at', False, False), ('id', False, False)], ['summary', 'user_id']),
    ('ix_lead_assignment_rules_order', 'lead_assignment_rules', [('sequence', False, False), ('id', False, False)], ['name']),
    ('ix_lead_scoring_rules_order', 'lead_scoring_rules', [('points', True, False), ('id', False, False)], ['name']),
    ('ix_leads_order', 'leads', [('created_at', True, False), ('id', True, False)], ['title', 'first_name', 'last_name', 'company_name', 'owner_id', 'team_id']),
    ('ix_opportunities_order', 'opportunities', [('close_date', False, True), ('id', True, False)], ['name', 'owner_id', 'team_id', 'stage_id']),
    ('ix_pipeline_stages_order', 'pipeline_stages', [('sequence', False, False), ('id', False, False)], ['name']),
]


def upgrade() -> None:
    recarry_sort_indexes(op, CARRYING)


def downgrade() -> None:
    recarry_sort_indexes(op, CARRYING, carrying=False)
