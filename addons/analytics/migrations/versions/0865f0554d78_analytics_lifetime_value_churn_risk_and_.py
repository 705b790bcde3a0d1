"""analytics: lifetime value, churn risk and renewal probability on contacts, and the fits

Each contact's expected purchases over the horizon, probability of still buying, churn
risk, predicted lifetime value and membership renewal probability (empty for every
existing contact until the first fit), and the table of fits with their parameters and
backtest.

Revision ID: 0865f0554d78
Revises: a87c7504068b
Create Date: 2026-12-06 05:32:56.333466
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy.dialects import postgresql

revision = '0865f0554d78'
down_revision = 'a87c7504068b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analytics_ltv_fits',
    sa.Column('fitted_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('calibration_start', sa.Date(), nullable=False),
    sa.Column('calibration_end', sa.Date(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('repeat_customers', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('parameters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('holdout_start', sa.Date(), nullable=True),
    sa.Column('holdout_end', sa.Date(), nullable=True),
    sa.Column('holdout_customers', sa.Integer(), nullable=True),
    sa.Column('holdout_predicted', sa.Float(), nullable=True),
    sa.Column('holdout_actual', sa.Integer(), nullable=True),
    sa.Column('holdout_mae', sa.Float(), nullable=True),
    sa.Column('holdout_buckets', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('renewal_rates', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('value_total', sa.Numeric(precision=24, scale=8), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_ltv_fits_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_analytics_ltv_fits_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_ltv_fits'))
    )
    with op.batch_alter_table('analytics_ltv_fits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_ltv_fits_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_analytics_ltv_fits_order', [sa.literal_column('fitted_at DESC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ltv_expected_purchases', sa.Numeric(precision=12, scale=4), nullable=True))
        batch_op.add_column(sa.Column('ltv_probability_alive', sa.Numeric(precision=5, scale=4), nullable=True))
        batch_op.add_column(sa.Column('ltv_churn_risk', sa.Numeric(precision=5, scale=4), nullable=True))
        batch_op.add_column(sa.Column('ltv_value', sa.Numeric(precision=24, scale=8), nullable=True))
        batch_op.add_column(sa.Column('renewal_probability', sa.Numeric(precision=5, scale=4), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_ltv_churn_risk'), ['ltv_churn_risk'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_ltv_churn_risk'))
        batch_op.drop_column('renewal_probability')
        batch_op.drop_column('ltv_value')
        batch_op.drop_column('ltv_churn_risk')
        batch_op.drop_column('ltv_probability_alive')
        batch_op.drop_column('ltv_expected_purchases')

    with op.batch_alter_table('analytics_ltv_fits', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_ltv_fits_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_analytics_ltv_fits_created_at'))

    op.drop_table('analytics_ltv_fits')
