"""analytics KPI targets and digests

The targets analytics managers set per KPI and kind of period, and the KPI digests users
subscribe to (with the period each last sent).

Revision ID: e3059a31e532
Revises: 0865f0554d78
Create Date: 2026-12-06 05:26:54.274592
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision = 'e3059a31e532'
down_revision = '0865f0554d78'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analytics_kpi_subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kpis', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('last_period', sa.String(length=20), nullable=True),
    sa.Column('last_sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_kpi_subscriptions_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_analytics_kpi_subscriptions_updated_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_analytics_kpi_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_kpi_subscriptions'))
    )
    with op.batch_alter_table('analytics_kpi_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_kpi_subscriptions_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_analytics_kpi_subscriptions_user_id_order', [sa.literal_column('user_id ASC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])

    op.create_table('analytics_kpi_targets',
    sa.Column('kpi', sa.String(length=80), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('target', sa.Numeric(precision=24, scale=8), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_kpi_targets_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_analytics_kpi_targets_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_kpi_targets')),
    sa.UniqueConstraint('kpi', 'period', name=op.f('uq_analytics_kpi_targets_kpi'))
    )
    with op.batch_alter_table('analytics_kpi_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_kpi_targets_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_analytics_kpi_targets_order', [sa.literal_column('kpi ASC'), sa.literal_column('period ASC'), sa.literal_column('id ASC')], unique=False, postgresql_include=[])



def downgrade() -> None:
    with op.batch_alter_table('analytics_kpi_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_kpi_targets_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_analytics_kpi_targets_created_at'))

    op.drop_table('analytics_kpi_targets')
    with op.batch_alter_table('analytics_kpi_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_kpi_subscriptions_user_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_analytics_kpi_subscriptions_created_at'))

    op.drop_table('analytics_kpi_subscriptions')
