"""saved filters become saved views: the list's state, sharing with a role, a default per user

Revision ID: d7a1e5c3b9f2
Revises: c4e2a7b9d1f3
Create Date: 2026-12-04 04:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'd7a1e5c3b9f2'
down_revision = 'c4e2a7b9d1f3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('saved_filters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_role_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('query', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_saved_filters_shared_role_id'), ['shared_role_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_saved_filters_shared_role_id_roles'), 'roles', ['shared_role_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('saved_filters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_saved_filters_shared_role_id_roles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_saved_filters_shared_role_id'))
        batch_op.drop_column('is_default')
        batch_op.drop_column('query')
        batch_op.drop_column('shared_role_id')
