"""analytics: RFM scores kept per value

Each distinct value's score at the last computation (`analytics_rfm_recency_scores`,
`analytics_rfm_frequency_scores`, `analytics_rfm_monetary_scores`) replaces the scores
kept on each customer: a computation finds the customers to score again from the values
whose score moved, and no longer rewrites the kept customers. The first computation
after this compares every customer with their contact.

Revision ID: 63f4409d7757
Revises: 3eeb98dbf3dd
Create Date: 2026-12-06 14:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '63f4409d7757'
down_revision = '3eeb98dbf3dd'
branch_labels = None
depends_on = None

_SCORES = (("recency", sa.Date()), ("frequency", sa.Integer()), ("monetary", sa.Numeric(precision=24, scale=8)))


def upgrade() -> None:
    for score, kind in _SCORES:
        op.create_table(f'analytics_rfm_{score}_scores',
        sa.Column('value', kind, nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('value', name=op.f(f'pk_analytics_rfm_{score}_scores'))
        )
    op.execute("DELETE FROM analytics_rfm_window")
    with op.batch_alter_table('analytics_rfm_customers', schema=None) as batch_op:
        batch_op.drop_column('segment')
        batch_op.drop_column('monetary')
        batch_op.drop_column('frequency')
        batch_op.drop_column('recency')


def downgrade() -> None:
    with op.batch_alter_table('analytics_rfm_customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recency', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('frequency', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('monetary', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('segment', sa.String(length=20), nullable=True))
    op.execute("DELETE FROM analytics_rfm_window")
    for score, _kind in reversed(_SCORES):
        op.drop_table(f'analytics_rfm_{score}_scores')
