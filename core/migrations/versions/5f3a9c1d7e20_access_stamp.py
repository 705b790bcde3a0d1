"""access stamp: a value replaced whenever a permission table changes

Revision ID: 5f3a9c1d7e20
Revises: 2658c33b384c
Create Date: 2026-11-24 13:40:00.000000
"""
from __future__ import annotations

import uuid

from alembic import op
import sqlalchemy as sa

revision = '5f3a9c1d7e20'
down_revision = '2658c33b384c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = op.create_table('access_stamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_stamp'))
    )
    # The one row core.access.snapshot reads; a fresh value, as any permission write makes.
    op.bulk_insert(stamp, [{'id': 1, 'stamp': uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table('access_stamp')
