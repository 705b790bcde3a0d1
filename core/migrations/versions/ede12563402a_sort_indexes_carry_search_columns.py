"""kernel: the sort indexes carry the searchable columns and the scopes

The search walks a list down its sort index and tests each row there (search_page in
core.records.pagination): each index of a default order now carries the searchable
columns and the scope fields (owner, team), as far as an entry's size allows, so that
walk reads the index alone (core.models.sorting.covered_columns). PostgreSQL only.

Revision ID: ede12563402a
Revises: 5770ca75855f
Create Date: 2026-12-04 10:20:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import recarry_sort_indexes

revision = 'ede12563402a'
down_revision = '5770ca75855f'
branch_labels = None
depends_on = None

#: (index, table, key columns, carried columns) of each sort index that carries columns.
CARRYING = [
    ('ix_users_order', 'users', [('name', False, False), ('id', False, False)], ['login', 'email']),
]


def upgrade() -> None:
    recarry_sort_indexes(op, CARRYING)


def downgrade() -> None:
    recarry_sort_indexes(op, CARRYING, carrying=False)
