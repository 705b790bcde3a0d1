"""campaign call lists: who calls each member, and what the call came to

Revision ID: 6b342db09c3c
Revises: 12c22b03c401
Create Date: 2026-12-04 14:10:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db


revision = '6b342db09c3c'
down_revision = '12c22b03c401'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('call_outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('called_at', core.db.UtcDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_members_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_campaign_members_assignee_id_users'), 'users', ['assignee_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('campaign_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_members_assignee_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_campaign_members_assignee_id'))
        batch_op.drop_column('called_at')
        batch_op.drop_column('call_outcome')
        batch_op.drop_column('assignee_id')
