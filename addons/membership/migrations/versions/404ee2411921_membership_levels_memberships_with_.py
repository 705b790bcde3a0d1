"""membership: levels, memberships with their statuses, payments and renewal reminders

Membership types (levels) with their fee and date terms, memberships of a contact or an
account with their period, status and the day it may next change (the daily sweep's
index), the payments that activate and renew them, and the renewal reminders sent (one
per membership, period end and reminder day).

Revision ID: 404ee2411921
Revises: 
Create Date: 2026-12-05 13:46:49.897233
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = '404ee2411921'
down_revision = None
branch_labels = ('membership',)
depends_on = ['a6d2f4e8c1b3', 'd7d7f12960b3']


def upgrade() -> None:
    op.create_table('membership_types',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('fee', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=False),
    sa.Column('cutoff_month', sa.Integer(), nullable=True),
    sa.Column('cutoff_day', sa.Integer(), nullable=True),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('new_days', sa.Integer(), nullable=False),
    sa.Column('member_kind', sa.String(length=20), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('benefits', sa.Text(), nullable=True),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('reminder_days', sa.String(length=60), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_membership_types_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_membership_types_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_types')),
    sa.UniqueConstraint('name', name=op.f('uq_membership_types_name'))
    )
    with op.batch_alter_table('membership_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_types_created_at'), ['created_at'], unique=False)

    op.create_table('memberships',
    sa.Column('reference', sa.String(length=40), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('join_date', sa.Date(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('paid', sa.Boolean(), nullable=False),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_until', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_memberships_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_memberships_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_memberships_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['type_id'], ['membership_types.id'], name=op.f('fk_memberships_type_id_membership_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_memberships_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_memberships_order', [sa.literal_column('start_date DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['reference', 'contact_id'])
        batch_op.create_index(batch_op.f('ix_memberships_status'), ['status'], unique=False)
        batch_op.create_index('ix_memberships_status_until', ['status_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_type_id'), ['type_id'], unique=False)

    op.create_table('membership_payments',
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_membership_payments_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_membership_payments_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_membership_payments_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_payments'))
    )
    with op.batch_alter_table('membership_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_payments_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_membership_payments_membership_id_order', [sa.literal_column('membership_id ASC'), sa.literal_column('paid_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index('ix_membership_payments_order', [sa.literal_column('paid_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['reference', 'membership_id'])

    op.create_table('membership_reminders',
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_membership_reminders_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_membership_reminders_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['mail_messages.id'], name=op.f('fk_membership_reminders_message_id_mail_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_membership_reminders_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_reminders')),
    sa.UniqueConstraint('membership_id', 'end_date', 'days_before', name=op.f('uq_membership_reminders_membership_id'))
    )
    with op.batch_alter_table('membership_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_reminders_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_membership_reminders_membership_id_order', [sa.literal_column('membership_id ASC'), sa.literal_column('sent_at DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index('ix_membership_reminders_order', [sa.literal_column('sent_at DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['membership_id'])



def downgrade() -> None:
    with op.batch_alter_table('membership_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_reminders_order', postgresql_include=['membership_id'])
        batch_op.drop_index('ix_membership_reminders_membership_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_membership_reminders_created_at'))

    op.drop_table('membership_reminders')
    with op.batch_alter_table('membership_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_payments_order', postgresql_include=['reference', 'membership_id'])
        batch_op.drop_index('ix_membership_payments_membership_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_membership_payments_created_at'))

    op.drop_table('membership_payments')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_type_id'))
        batch_op.drop_index('ix_memberships_status_until')
        batch_op.drop_index(batch_op.f('ix_memberships_status'))
        batch_op.drop_index('ix_memberships_order', postgresql_include=['reference', 'contact_id'])
        batch_op.drop_index(batch_op.f('ix_memberships_created_at'))
        batch_op.drop_index(batch_op.f('ix_memberships_account_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_contact_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('membership_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_types_created_at'))

    op.drop_table('membership_types')
