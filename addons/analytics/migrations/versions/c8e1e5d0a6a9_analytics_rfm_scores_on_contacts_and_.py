"""analytics: RFM scores on contacts and monthly snapshots

Each contact's recency, frequency and monetary scores, segment and when they were
computed (empty for every existing contact until the first computation), and the
monthly snapshots of them.

Revision ID: c8e1e5d0a6a9
Revises: 3a14d57e6f4b
Create Date: 2026-12-06 01:56:31.499804
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types


revision = 'c8e1e5d0a6a9'
down_revision = '3a14d57e6f4b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analytics_rfm_snapshots',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('last_purchase_on', sa.Date(), nullable=False),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=24, scale=8), nullable=False),
    sa.Column('recency', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Integer(), nullable=False),
    sa.Column('monetary', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_analytics_rfm_snapshots_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_rfm_snapshots_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_analytics_rfm_snapshots_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_rfm_snapshots')),
    sa.UniqueConstraint('month', 'contact_id', name=op.f('uq_analytics_rfm_snapshots_month'))
    )
    with op.batch_alter_table('analytics_rfm_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_rfm_snapshots_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_rfm_snapshots_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_analytics_rfm_snapshots_order', [sa.literal_column('month DESC'), sa.literal_column('contact_id ASC'), sa.literal_column('id ASC')], unique=False, postgresql_include=['segment'])
        batch_op.create_index('ix_analytics_rfm_snapshots_segment_order', [sa.literal_column('segment ASC'), sa.literal_column('month DESC'), sa.literal_column('contact_id ASC'), sa.literal_column('id ASC')], unique=False, postgresql_include=[])

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rfm_recency', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rfm_frequency', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rfm_monetary', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rfm_segment', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('rfm_computed_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_rfm_segment'), ['rfm_segment'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_rfm_segment'))
        batch_op.drop_column('rfm_computed_at')
        batch_op.drop_column('rfm_segment')
        batch_op.drop_column('rfm_monetary')
        batch_op.drop_column('rfm_frequency')
        batch_op.drop_column('rfm_recency')

    with op.batch_alter_table('analytics_rfm_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_rfm_snapshots_segment_order', postgresql_include=[])
        batch_op.drop_index('ix_analytics_rfm_snapshots_order', postgresql_include=['segment'])
        batch_op.drop_index(batch_op.f('ix_analytics_rfm_snapshots_created_at'))
        batch_op.drop_index(batch_op.f('ix_analytics_rfm_snapshots_contact_id'))

    op.drop_table('analytics_rfm_snapshots')
