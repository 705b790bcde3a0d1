"""analytics: customer transactions and their sources

The transaction fact table (one row per source record: contact, day, amount in the
company currency, kind) and each source's watermark and counts.

Revision ID: 3a14d57e6f4b
Revises: 
Create Date: 2026-12-06 01:49:04.085282
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy.dialects import postgresql

revision = '3a14d57e6f4b'
down_revision = None
branch_labels = ('analytics',)
depends_on = ['05b7703e770f', 'd7d7f12960b3']


def upgrade() -> None:
    op.create_table('analytics_sources',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('addon', sa.String(length=80), nullable=True),
    sa.Column('watermark', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('refreshed_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('transactions', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_sources_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_analytics_sources_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_sources')),
    sa.UniqueConstraint('key', name=op.f('uq_analytics_sources_key'))
    )
    with op.batch_alter_table('analytics_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_sources_created_at'), ['created_at'], unique=False)

    op.create_table('analytics_transactions',
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('source_record_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=24, scale=8), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_analytics_transactions_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_transactions_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_analytics_transactions_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_transactions')),
    sa.UniqueConstraint('source', 'source_record_id', name=op.f('uq_analytics_transactions_source'))
    )
    with op.batch_alter_table('analytics_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_transactions_contact_id_order', [sa.literal_column('contact_id ASC'), sa.literal_column('occurred_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index(batch_op.f('ix_analytics_transactions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_transactions_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_transactions_occurred_on'), ['occurred_on'], unique=False)
        batch_op.create_index('ix_analytics_transactions_order', [sa.literal_column('occurred_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['contact_id'])



def downgrade() -> None:
    with op.batch_alter_table('analytics_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_transactions_order', postgresql_include=['contact_id'])
        batch_op.drop_index(batch_op.f('ix_analytics_transactions_occurred_on'))
        batch_op.drop_index(batch_op.f('ix_analytics_transactions_kind'))
        batch_op.drop_index(batch_op.f('ix_analytics_transactions_created_at'))
        batch_op.drop_index('ix_analytics_transactions_contact_id_order', postgresql_include=[])

    op.drop_table('analytics_transactions')
    with op.batch_alter_table('analytics_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_sources_created_at'))

    op.drop_table('analytics_sources')
