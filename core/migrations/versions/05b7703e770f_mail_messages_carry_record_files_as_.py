"""mail messages carry record files as attachments

The ids of the record files (attachments) a logged message is sent with; empty for
every message logged before.

Revision ID: 05b7703e770f
Revises: a6d2f4e8c1b3
Create Date: 2026-12-05 22:13:49.006852
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision = '05b7703e770f'
down_revision = 'a6d2f4e8c1b3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.drop_column('attachment_ids')

