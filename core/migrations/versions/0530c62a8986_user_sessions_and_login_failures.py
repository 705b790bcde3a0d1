"""user sessions and login failures: server-side sessions (the cookie carries a random id whose
digest is stored) and the per-login count of failed sign-ins behind the lockout

Revision ID: 0530c62a8986
Revises: 957ff1128454
Create Date: 2026-12-03 08:06:42.841193
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db


revision = '0530c62a8986'
down_revision = '957ff1128454'
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
    op.create_table('login_failures',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_last_failed_at'), ['last_failed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_last_failed_at'))
    op.drop_table('login_failures')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
