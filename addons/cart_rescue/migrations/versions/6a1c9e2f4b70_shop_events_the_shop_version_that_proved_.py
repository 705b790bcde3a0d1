"""Shop events: the version of the shop whose shared secret proved each delivery

`shop_events.shop_version`; deliveries stored before have none.

Revision ID: 6a1c9e2f4b70
Revises: 5eb660e5b117
Create Date: 2026-12-07 08:30:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '6a1c9e2f4b70'
down_revision = '5eb660e5b117'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shop_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shop_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('shop_events', schema=None) as batch_op:
        batch_op.drop_column('shop_version')
