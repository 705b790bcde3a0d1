"""campaign members not before: an SMS in the contact's quiet hours waits for their end

Revision ID: e3b7c9a1d5f4
Revises: 6b342db09c3c
Create Date: 2026-12-04 14:30:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db

revision = 'e3b7c9a1d5f4'
down_revision = '6b342db09c3c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_before', core.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.drop_column('not_before')
