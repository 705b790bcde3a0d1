"""rescue coupons: a single-use code per cart and step, and the shop's coupon discount

`cart_coupons` (a unique code, one per cart and rescue step) and shops' `coupon_percent`
(10 % for the existing shops).

Revision ID: be895e065742
Revises: 034975e9af9c
Create Date: 2026-12-05 05:59:32.348816
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = 'be895e065742'
down_revision = '034975e9af9c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cart_coupons',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('percent_off', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('expires_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], name=op.f('fk_cart_coupons_cart_id_carts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_cart_coupons_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_cart_coupons_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_cart_coupons_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_cart_coupons_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['journey_steps.id'], name=op.f('fk_cart_coupons_step_id_journey_steps'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_cart_coupons_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_coupons')),
    sa.UniqueConstraint('cart_id', 'step_id', name=op.f('uq_cart_coupons_cart_id')),
    sa.UniqueConstraint('code', name=op.f('uq_cart_coupons_code'))
    )
    with op.batch_alter_table('cart_coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_coupons_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_coupons_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_coupons_shop_id'), ['shop_id'], unique=False)

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coupon_percent', sa.Numeric(precision=5, scale=2), nullable=False, server_default='10'))



def downgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('coupon_percent')

    with op.batch_alter_table('cart_coupons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_coupons_shop_id'))
        batch_op.drop_index(batch_op.f('ix_cart_coupons_created_at'))
        batch_op.drop_index(batch_op.f('ix_cart_coupons_contact_id'))

    op.drop_table('cart_coupons')
