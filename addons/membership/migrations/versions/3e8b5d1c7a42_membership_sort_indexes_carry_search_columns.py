"""membership: the default orders of funds and receipts carry their searched columns

Funds are listed by name and receipts by number, each served by its unique index,
which carries nothing: the search's walk (search_page in core.records.pagination) then
reads the table for each row. An index of each default order now carries the fund's
code and the receipt's member (core.models.sorting.covered_columns). PostgreSQL only:
SQLite's indexes carry no columns, and its unique indexes serve these orders.

Revision ID: 3e8b5d1c7a42
Revises: 7fcf0b913dfa
Create Date: 2026-12-05 22:52:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import create_sort_indexes, drop_sort_indexes

revision = '3e8b5d1c7a42'
down_revision = '7fcf0b913dfa'
branch_labels = None
depends_on = None

#: (index, table, key columns, carried columns) of each default-order index made here.
CARRYING = [
    ('ix_funds_order', 'funds', [('name', False, False)], ['code']),
    ('ix_receipts_order', 'receipts', [('number', True, False)], ['contact_id']),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_sort_indexes(op, CARRYING)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        drop_sort_indexes(op, CARRYING)
