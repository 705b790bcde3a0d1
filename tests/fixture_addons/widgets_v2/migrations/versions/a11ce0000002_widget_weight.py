"""widgets.weight

Revision ID: a11ce0000002
Revises: a11ce0000001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a11ce0000002"
down_revision = "a11ce0000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("widgets") as batch_op:
        batch_op.add_column(sa.Column("weight", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("widgets") as batch_op:
        batch_op.drop_column("weight")
