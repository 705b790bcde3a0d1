"""membership giving: funds, donations, soft credits, pledges, recurring donations

Funds, donations (money or in kind, received, expected or missed), their soft credits,
pledges with their paid total and balance, and recurring donations with the day of
their next instalment (the sweep's index).

Revision ID: f59c793ba76e
Revises: 404ee2411921
Create Date: 2026-12-05 13:51:53.896623
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = 'f59c793ba76e'
down_revision = '404ee2411921'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('funds',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('tax_deductible', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_funds_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_funds_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds')),
    sa.UniqueConstraint('name', name=op.f('uq_funds_name'))
    )
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_created_at'), ['created_at'], unique=False)

    op.create_table('pledges',
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('pledged_on', sa.Date(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('instalments', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('paid', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('balance', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_pledges_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_pledges_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_pledges_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_pledges_fund_id_funds'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_pledges_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_pledges_fund_id_order', [sa.literal_column('fund_id ASC'), sa.literal_column('pledged_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index('ix_pledges_order', [sa.literal_column('pledged_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['fund_id'])

    op.create_table('recurring_donations',
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('payment_method', sa.String(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_recurring_donations_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_recurring_donations_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_recurring_donations_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_recurring_donations_fund_id_funds'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_recurring_donations_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_donations'))
    )
    with op.batch_alter_table('recurring_donations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_donations_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recurring_donations_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recurring_donations_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_recurring_donations_fund_id_order', [sa.literal_column('fund_id ASC'), sa.literal_column('start_date DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index(batch_op.f('ix_recurring_donations_next_due'), ['next_due'], unique=False)
        batch_op.create_index('ix_recurring_donations_order', [sa.literal_column('start_date DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['fund_id'])

    op.create_table('donations',
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('appeal', sa.String(length=120), nullable=True),
    sa.Column('payment_method', sa.String(length=20), nullable=True),
    sa.Column('in_kind_description', sa.Text(), nullable=True),
    sa.Column('tax_deductible', sa.Boolean(), nullable=False),
    sa.Column('gift_aid', sa.Boolean(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=True),
    sa.Column('recurring_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_donations_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_donations_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_donations_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_donations_fund_id_funds'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_donations_pledge_id_pledges'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recurring_id'], ['recurring_donations.id'], name=op.f('fk_donations_recurring_id_recurring_donations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_donations_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donations'))
    )
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donations_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donations_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donations_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_donations_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index('ix_donations_fund_id_order', [sa.literal_column('fund_id ASC'), sa.literal_column('received_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index('ix_donations_order', [sa.literal_column('received_on DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=['appeal', 'contact_id', 'fund_id'])
        batch_op.create_index(batch_op.f('ix_donations_pledge_id'), ['pledge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donations_recurring_id'), ['recurring_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donations_status'), ['status'], unique=False)

    op.create_table('soft_credits',
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_soft_credits_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_soft_credits_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_soft_credits_donation_id_donations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_soft_credits_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_soft_credits'))
    )
    with op.batch_alter_table('soft_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_soft_credits_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_soft_credits_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_soft_credits_donation_id_order', [sa.literal_column('donation_id ASC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])



def downgrade() -> None:
    with op.batch_alter_table('soft_credits', schema=None) as batch_op:
        batch_op.drop_index('ix_soft_credits_donation_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_soft_credits_created_at'))
        batch_op.drop_index(batch_op.f('ix_soft_credits_contact_id'))

    op.drop_table('soft_credits')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donations_status'))
        batch_op.drop_index(batch_op.f('ix_donations_recurring_id'))
        batch_op.drop_index(batch_op.f('ix_donations_pledge_id'))
        batch_op.drop_index('ix_donations_order', postgresql_include=['appeal', 'contact_id', 'fund_id'])
        batch_op.drop_index('ix_donations_fund_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_donations_fund_id'))
        batch_op.drop_index(batch_op.f('ix_donations_created_at'))
        batch_op.drop_index(batch_op.f('ix_donations_contact_id'))
        batch_op.drop_index(batch_op.f('ix_donations_account_id'))

    op.drop_table('donations')
    with op.batch_alter_table('recurring_donations', schema=None) as batch_op:
        batch_op.drop_index('ix_recurring_donations_order', postgresql_include=['fund_id'])
        batch_op.drop_index(batch_op.f('ix_recurring_donations_next_due'))
        batch_op.drop_index('ix_recurring_donations_fund_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_recurring_donations_created_at'))
        batch_op.drop_index(batch_op.f('ix_recurring_donations_contact_id'))
        batch_op.drop_index(batch_op.f('ix_recurring_donations_account_id'))

    op.drop_table('recurring_donations')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index('ix_pledges_order', postgresql_include=['fund_id'])
        batch_op.drop_index('ix_pledges_fund_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_pledges_created_at'))
        batch_op.drop_index(batch_op.f('ix_pledges_contact_id'))
        batch_op.drop_index(batch_op.f('ix_pledges_account_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_created_at'))

    op.drop_table('funds')
