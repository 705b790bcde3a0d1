"""campaigns: sending — why a member was skipped, and the sender's indexes

A member's `skip_reason` (consent, no address, frequency cap); indexes for claiming a
message's pending members and for counting what was sent lately (the throttle per
transport and the frequency cap per contact).

Revision ID: 5c1e7a9d3b20
Revises: fdeb07a2f7b6
Create Date: 2026-12-04 10:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '5c1e7a9d3b20'
down_revision = 'fdeb07a2f7b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skip_reason', sa.String(length=300), nullable=True))
        batch_op.create_index('ix_campaign_members_message_status', ['message_id', 'status'], unique=False)
        batch_op.create_index('ix_campaign_members_contact_sent', ['contact_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_campaign_members_sent_at', ['sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_members_sent_at')
        batch_op.drop_index('ix_campaign_members_contact_sent')
        batch_op.drop_index('ix_campaign_members_message_status')
        batch_op.drop_column('skip_reason')
