"""mail links and per-message token keys: a tracked redirect leads only to a recorded URL

Revision ID: 957ff1128454
Revises: 5f3a9c1d7e20
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db

revision = '957ff1128454'
down_revision = '5f3a9c1d7e20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_links',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('click_count', sa.Integer(), nullable=False),
    sa.Column('clicked_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_clicked_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_mail_links_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['mail_messages.id'], name=op.f('fk_mail_links_message_id_mail_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_mail_links_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_links')),
    sa.UniqueConstraint('message_id', 'position', name='uq_mail_links_message_id_position')
    )
    with op.batch_alter_table('mail_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_links_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_key', sa.String(length=32), nullable=True))
    # Every message already logged gets its own random key (its old links stop working:
    # they were the forgeable kind). Both functions draw from a strong random source.
    random_hex = ("replace(gen_random_uuid()::text, '-', '')" if op.get_bind().dialect.name == "postgresql"
                  else "lower(hex(randomblob(16)))")
    op.execute(f"UPDATE mail_messages SET token_key = {random_hex}")


def downgrade() -> None:
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.drop_column('token_key')

    with op.batch_alter_table('mail_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_links_created_at'))

    op.drop_table('mail_links')
