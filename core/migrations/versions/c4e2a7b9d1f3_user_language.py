"""the language of each user's pages

Revision ID: c4e2a7b9d1f3
Revises: 0530c62a8986
Create Date: 2026-12-04 03:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'c4e2a7b9d1f3'
down_revision = '0530c62a8986'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
