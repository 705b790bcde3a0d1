"""membership online payments: checkouts settled by a payment processor

A member's online payment of their fee (a checkout) with its own reference, unique, and
the processor's reference, unique per processor (a notification delivered twice settles
it once).

Revision ID: aaaf11572e16
Revises: 3e8b5d1c7a42
Create Date: 2026-12-06 01:52:25.186037
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = 'aaaf11572e16'
down_revision = '3e8b5d1c7a42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('membership_checkouts',
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('processor', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('paid_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('processor_reference', sa.String(length=120), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_membership_checkouts_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_membership_checkouts_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['membership_payments.id'], name=op.f('fk_membership_checkouts_payment_id_membership_payments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_membership_checkouts_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_checkouts')),
    sa.UniqueConstraint('processor', 'processor_reference', name='uq_membership_checkouts_processor_reference'),
    sa.UniqueConstraint('reference', name=op.f('uq_membership_checkouts_reference'))
    )
    with op.batch_alter_table('membership_checkouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_checkouts_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_membership_checkouts_membership_id_order', [sa.literal_column('membership_id ASC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])



def downgrade() -> None:
    with op.batch_alter_table('membership_checkouts', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_checkouts_membership_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_membership_checkouts_created_at'))

    op.drop_table('membership_checkouts')
