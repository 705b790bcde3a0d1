"""sms log: one row per outgoing text message

Revision ID: a6d2f4e8c1b3
Revises: ede12563402a
Create Date: 2026-12-04 14:20:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db

revision = 'a6d2f4e8c1b3'
down_revision = 'ede12563402a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sms_messages',
    sa.Column('to_number', sa.String(length=32), nullable=False),
    sa.Column('from_number', sa.String(length=32), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('related_model', sa.String(length=120), nullable=True),
    sa.Column('related_id', sa.Integer(), nullable=True),
    sa.Column('recipient_model', sa.String(length=120), nullable=True),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_sms_messages_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_sms_messages_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages'))
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_sms_messages_recipient', ['recipient_model', 'recipient_id'], unique=False)
        batch_op.create_index('ix_sms_messages_related', ['related_model', 'related_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_to_number'), ['to_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_messages_to_number'))
        batch_op.drop_index(batch_op.f('ix_sms_messages_status'))
        batch_op.drop_index(batch_op.f('ix_sms_messages_provider_id'))
        batch_op.drop_index('ix_sms_messages_related')
        batch_op.drop_index('ix_sms_messages_recipient')
        batch_op.drop_index(batch_op.f('ix_sms_messages_created_at'))

    op.drop_table('sms_messages')
