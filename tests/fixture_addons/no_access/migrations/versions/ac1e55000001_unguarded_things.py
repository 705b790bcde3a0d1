"""unguarded_things table

Revision ID: ac1e55000001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "ac1e55000001"
down_revision = None
branch_labels = ("no_access",)
depends_on = "76cc57730eea"


def upgrade() -> None:
    op.create_table(
        "unguarded_things",
        sa.Column("name", sa.String(length=50), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_unguarded_things_created_by_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_unguarded_things_updated_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unguarded_things")),
    )
    op.create_index(op.f("ix_unguarded_things_created_at"), "unguarded_things", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_unguarded_things_created_at"), table_name="unguarded_things")
    op.drop_table("unguarded_things")
