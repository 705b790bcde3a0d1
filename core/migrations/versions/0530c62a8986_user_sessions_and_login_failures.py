"""user sessions: server-side sessions (the cookie carries a random id whose digest is stored)

Revision ID: 0530c62a8986
Revises: 5f3a9c1d7e20
Create Date: 2026-12-03 08:06:42.841193
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db


revision = '0530c62a8986'
down_revision = '5f3a9c1d7e20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('digest', name=op.f('uq_user_sessions_digest'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
