"""widgets table

Revision ID: a11ce0000001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "a11ce0000001"
down_revision = None
branch_labels = ("widgets",)
depends_on = "76cc57730eea"  # the kernel's head: widgets rows point at users


def upgrade() -> None:
    op.create_table(
        "widgets",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=10), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_widgets_created_by_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_widgets_updated_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widgets")),
    )
    op.create_index(op.f("ix_widgets_created_at"), "widgets", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_widgets_created_at"), table_name="widgets")
    op.drop_table("widgets")
