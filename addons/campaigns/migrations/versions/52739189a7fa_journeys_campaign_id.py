"""journeys campaign: the campaign whose messages a journey's send steps send

Revision ID: 52739189a7fa
Revises: ad4c84057e5e
Create Date: 2026-12-04 23:31:14.342664
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '52739189a7fa'
down_revision = 'ad4c84057e5e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('journeys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_journeys_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_journeys_campaign_id_campaigns'), 'campaigns', ['campaign_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('journeys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_journeys_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_journeys_campaign_id'))
        batch_op.drop_column('campaign_id')
