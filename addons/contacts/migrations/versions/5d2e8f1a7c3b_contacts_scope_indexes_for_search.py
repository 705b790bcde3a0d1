"""contacts and accounts: a plain index on each scope field, for searches narrowed to one

A salesperson's search reads the trigram index's matches, and those of other owners were
read from the table to be dropped: three in four of them when the team owns a fourth of
the contacts. A plain B-tree index on the owner (and on the city, the contacts' other
scope) lets PostgreSQL intersect the matches with the scope in the indexes and read only
the scope's rows (core.models.search). PostgreSQL only, as the trigram index.

Revision ID: 5d2e8f1a7c3b
Revises: 4e8b0c2d9a17
Create Date: 2026-12-07 05:20:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.search import create_scope_indexes, drop_scope_indexes

revision = '5d2e8f1a7c3b'
down_revision = '4e8b0c2d9a17'
branch_labels = None
depends_on = None

#: The scope fields of each table with a search index (the models' `__sort_scopes__`).
SCOPES = {"accounts": ("owner_id",), "contacts": ("owner_id", "city")}


def upgrade() -> None:
    for table, scopes in SCOPES.items():
        create_scope_indexes(op, table, scopes)


def downgrade() -> None:
    for table, scopes in SCOPES.items():
        drop_scope_indexes(op, table, scopes)
