"""contacts and accounts: one trigram index on the search document, in place of one per field

The quick search now matches the searchable fields read as one text, joined by a space
("marie dubois" finds Marie Dubois; core.models.search). One pg_trgm GIN index on that
text serves it: a search reads one index, where the index of each field gave a bitmap per
field. It also serves a filter "field contains x" on any of those fields (the document
holds the field's text), so the per-field indexes of 305c6b318ab2 go: each written row
would have fed both. PostgreSQL only.

Revision ID: 4e8b0c2d9a17
Revises: d7d7f12960b3
Create Date: 2026-12-06 22:40:00.000000
"""
from __future__ import annotations

from alembic import op

from core.models.search import create_search_index, drop_search_index


revision = '4e8b0c2d9a17'
down_revision = 'd7d7f12960b3'
branch_labels = None
depends_on = None

#: The searchable fields of each table, in their declared order.
DOCUMENTS = {"accounts": ("name", "email"), "contacts": ("first_name", "last_name", "email")}


def upgrade() -> None:
    for table, columns in DOCUMENTS.items():
        create_search_index(op, table, columns)
        if op.get_bind().dialect.name == "postgresql":
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")


def downgrade() -> None:
    for table, columns in DOCUMENTS.items():
        if op.get_bind().dialect.name == "postgresql":
            for column in columns:
                op.create_index(f"ix_{table}_{column}_trgm", table, [column], postgresql_using="gin",
                                postgresql_ops={column: "gin_trgm_ops"})
        drop_search_index(op, table)
