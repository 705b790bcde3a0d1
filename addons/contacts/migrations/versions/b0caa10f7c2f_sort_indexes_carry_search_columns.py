"""contacts: the sort indexes carry the searchable columns and the scopes

The search walks a list down its sort index and tests each row there (search_page in
core.records.pagination): each index of a default order now carries the searchable
columns and the scope fields (owner, team), as far as an entry's size allows, so that
walk reads the index alone (core.models.sorting.covered_columns). PostgreSQL only.

Revision ID: b0caa10f7c2f
Revises: 10a3766dff85
Create Date: 2026-12-04 10:20:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import recarry_sort_indexes

revision = 'b0caa10f7c2f'
down_revision = '10a3766dff85'
branch_labels = None
depends_on = None

#: (index, table, key columns, carried columns) of each sort index that carries columns.
CARRYING = [
    ('ix_accounts_order', 'accounts', [('name', False, False), ('id', False, False)], ['email', 'owner_id']),
    ('ix_contacts_order', 'contacts', [('last_name', False, False), ('first_name', False, True), ('id', False, False)], ['email', 'owner_id', 'city']),
    ('ix_interactions_order', 'interactions', [('occurred_at', True, False), ('id', True, False)], ['subject']),
]


def upgrade() -> None:
    recarry_sort_indexes(op, CARRYING)


def downgrade() -> None:
    recarry_sort_indexes(op, CARRYING, carrying=False)
