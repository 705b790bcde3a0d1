"""creates a table, then fails

Revision ID: fa11ed000001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fa11ed000001"
down_revision = None
branch_labels = ("failing_migration",)
depends_on = "a11ce0000001"  # after the widgets table


def upgrade() -> None:
    op.create_table(
        "half_done",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_half_done")),
    )
    op.execute(sa.text("INSERT INTO half_done (id) VALUES (1)"))
    raise RuntimeError("failing_migration fails halfway on purpose")


def downgrade() -> None:
    op.drop_table("half_done")
