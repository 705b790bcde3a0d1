"""campaign members by moment reached: the campaigns that reached someone since a moment
(analytics' campaign cost shares) are found without reading every member

Revision ID: 9f4c2d7a1e36
Revises: 1a11cd5e5baf
Create Date: 2026-12-06 09:20:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '9f4c2d7a1e36'
down_revision = '1a11cd5e5baf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_members_sent_at'), ['sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_members_sent_at'))
