"""sales: web-form tokens already used (one submission per token)

Revision ID: 88b379529698
Revises: abcd2d7de098
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db

revision = '88b379529698'
down_revision = 'abcd2d7de098'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sales_web_form_tokens',
    sa.Column('token_id', sa.String(length=32), nullable=False),
    sa.Column('expires_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_sales_web_form_tokens'))
    )
    with op.batch_alter_table('sales_web_form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_web_form_tokens_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sales_web_form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_web_form_tokens_expires_at'))

    op.drop_table('sales_web_form_tokens')
