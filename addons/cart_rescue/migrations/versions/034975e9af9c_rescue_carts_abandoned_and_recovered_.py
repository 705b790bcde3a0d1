"""rescue: carts abandoned and recovered, shops' attribution window, high-value threshold and rescue journey, orders' rescue step and campaign

Carts get when they were found abandoned and when they were won back (and an index on
status and last activity for the abandonment sweep); shops their attribution window
(7 days for the existing ones), high-value threshold and rescue journey; orders the
rescue step and campaign they are attributed to.

Revision ID: 034975e9af9c
Revises: 44507a6ca8fc
Create Date: 2026-12-05 05:17:21.538898
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = '034975e9af9c'
down_revision = '44507a6ca8fc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('abandoned_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recovered_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_carts_status_activity', ['status', 'last_activity_at'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescue_step_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rescue_campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_rescue_campaign_id'), ['rescue_campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_rescue_step_id'), ['rescue_step_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_rescue_campaign_id_campaigns'), 'campaigns', ['rescue_campaign_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_orders_rescue_step_id_journey_steps'), 'journey_steps', ['rescue_step_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attribution_days', sa.Integer(), nullable=False, server_default='7'))
        batch_op.add_column(sa.Column('high_value_threshold', sa.Numeric(precision=16, scale=2), nullable=True))
        batch_op.add_column(sa.Column('rescue_journey_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_shops_rescue_journey_id_journeys'), 'journeys', ['rescue_journey_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shops_rescue_journey_id_journeys'), type_='foreignkey')
        batch_op.drop_column('rescue_journey_id')
        batch_op.drop_column('high_value_threshold')
        batch_op.drop_column('attribution_days')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_rescue_step_id_journey_steps'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_orders_rescue_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_rescue_step_id'))
        batch_op.drop_index(batch_op.f('ix_orders_rescue_campaign_id'))
        batch_op.drop_column('rescue_campaign_id')
        batch_op.drop_column('rescue_step_id')

    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.drop_index('ix_carts_status_activity')
        batch_op.drop_column('recovered_at')
        batch_op.drop_column('abandoned_at')

