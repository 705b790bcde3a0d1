"""the audit trail keeps the acting user's id: no foreign key to users

Deleting a user set their entries' user to none (ON DELETE SET NULL), which the trail
then showed as the system: the record of who acted was rewritten. The id now stays as it
was written. Without the key, the entries of a bulk write (an import's million) are also
no longer checked against the users one row at a time (3 s a million on PostgreSQL).

Revision ID: 6c3e9a1f2b47
Revises: 05b7703e770f
Create Date: 2026-12-06 23:30:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '6c3e9a1f2b47'
down_revision = '05b7703e770f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_trail_user_id_users', type_='foreignkey')


def downgrade() -> None:
    op.execute("UPDATE audit_trail SET user_id = NULL WHERE user_id NOT IN (SELECT id FROM users)")
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_trail_user_id_users', 'users', ['user_id'], ['id'], ondelete='SET NULL')
