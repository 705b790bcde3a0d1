"""membership receipts: gapless numbers from one counter

Receipts (per donation, or a donor's year-end statement) with their unique number, and
the receipts series' counter row, created here once (its number only ever goes up).

Revision ID: b39ce17a59ec
Revises: f59c793ba76e
Create Date: 2026-12-05 14:01:48.638119
"""
from __future__ import annotations

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = 'b39ce17a59ec'
down_revision = 'f59c793ba76e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('receipt_counters',
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_receipt_counters_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_receipt_counters_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_counters')),
    sa.UniqueConstraint('series', name=op.f('uq_receipt_counters_series'))
    )
    with op.batch_alter_table('receipt_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_counters_created_at'), ['created_at'], unique=False)

    op.create_table('receipts',
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('voided_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_receipts_contact_id_contacts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_receipts_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_receipts_donation_id_donations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_receipts_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('number', name=op.f('uq_receipts_number'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index('ix_receipts_contact_id_order', [sa.literal_column('contact_id ASC'), sa.literal_column('number DESC')], unique=False, postgresql_include=[])
        batch_op.create_index(batch_op.f('ix_receipts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipts_donation_id'), ['donation_id'], unique=False)

    now = datetime.now(timezone.utc)
    counters = sa.table("receipt_counters", sa.column("series", sa.String), sa.column("last_number", sa.Integer),
                        sa.column("created_at", core.db.UtcDateTime), sa.column("updated_at", core.db.UtcDateTime),
                        sa.column("version", sa.Integer))
    op.bulk_insert(counters, [{"series": "receipts", "last_number": 0, "created_at": now, "updated_at": now,
                               "version": 1}])


def downgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_donation_id'))
        batch_op.drop_index(batch_op.f('ix_receipts_created_at'))
        batch_op.drop_index('ix_receipts_contact_id_order', postgresql_include=[])

    op.drop_table('receipts')
    with op.batch_alter_table('receipt_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_counters_created_at'))

    op.drop_table('receipt_counters')
