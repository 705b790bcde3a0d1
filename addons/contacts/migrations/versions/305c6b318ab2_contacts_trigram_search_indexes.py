"""contacts trigram search indexes

The quick search (`q`, core.records.service) matches `column ILIKE '%term%'` on the
searchable fields; a B-tree cannot serve a leading wildcard, so a million contacts were
scanned in full. pg_trgm GIN indexes serve ILIKE directly (scripts/bench, benchmark 3).
PostgreSQL only: SQLite has no equivalent, and its databases are small.

Revision ID: 305c6b318ab2
Revises: 10eb30ce1885
Create Date: 2026-11-23 13:08:03.321300
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = '305c6b318ab2'
down_revision = '10eb30ce1885'
branch_labels = None
depends_on = None


#: (index, table, column) of every trigram index: the searchable text fields of contacts and accounts.
TRIGRAM_INDEXES = [
    ("ix_contacts_first_name_trgm", "contacts", "first_name"),
    ("ix_contacts_last_name_trgm", "contacts", "last_name"),
    ("ix_contacts_email_trgm", "contacts", "email"),
    ("ix_accounts_name_trgm", "accounts", "name"),
    ("ix_accounts_email_trgm", "accounts", "email"),
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        op.create_index(name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _column in TRIGRAM_INDEXES:
        op.drop_index(name, table_name=table)
