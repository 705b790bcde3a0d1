"""widgets.color and widgets.polished

Revision ID: e77e00000001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e77e00000001"
down_revision = None
branch_labels = ("widgets_ext",)
depends_on = "a11ce0000001"  # the widgets table, from the addon this one extends


def upgrade() -> None:
    with op.batch_alter_table("widgets") as batch_op:
        batch_op.add_column(sa.Column("color", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("polished", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("widgets") as batch_op:
        batch_op.drop_column("polished")
        batch_op.drop_column("color")
