"""campaigns: when a message's A/B test ended

`campaign_messages.winner_chosen_at`: members sent before it were the test of variants A
and B, those sent after it received the winner.

Revision ID: 7d2b4e81c6a9
Revises: b29417e7e313
Create Date: 2026-12-04 13:15:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db

revision = '7d2b4e81c6a9'
down_revision = 'b29417e7e313'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('winner_chosen_at', core.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('campaign_messages', schema=None) as batch_op:
        batch_op.drop_column('winner_chosen_at')
