"""contact timezone

Revision ID: d7d7f12960b3
Revises: b0caa10f7c2f
Create Date: 2026-12-04 13:03:05.041914
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'd7d7f12960b3'
down_revision = 'b0caa10f7c2f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('timezone')
