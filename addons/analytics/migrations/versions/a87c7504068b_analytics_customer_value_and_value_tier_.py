"""analytics: customer value and value tier on contacts

Each contact's revenue minus cost to serve over the value period, and the value tier it
falls in (empty for every existing contact until the first computation).

Revision ID: a87c7504068b
Revises: c8e1e5d0a6a9
Create Date: 2026-12-06 02:06:32.865388
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'a87c7504068b'
down_revision = 'c8e1e5d0a6a9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_value', sa.Numeric(precision=24, scale=8), nullable=True))
        batch_op.add_column(sa.Column('value_tier', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_value_tier'), ['value_tier'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_value_tier'))
        batch_op.drop_column('value_tier')
        batch_op.drop_column('customer_value')

