"""membership volunteers: roles, shifts, sign-ups and the contacts' skills

Volunteer roles, their shifts (start, end, capacity), volunteers' sign-ups (one per
contact and shift, with status and hours), and each contact's volunteer skills (empty
for every existing contact).

Revision ID: 7fcf0b913dfa
Revises: c3d77d5c9c8c
Create Date: 2026-12-05 22:10:54.068245
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = '7fcf0b913dfa'
down_revision = 'c3d77d5c9c8c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('volunteer_roles',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('skills', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_volunteer_roles_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_volunteer_roles_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_roles')),
    sa.UniqueConstraint('name', name=op.f('uq_volunteer_roles_name'))
    )
    with op.batch_alter_table('volunteer_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_roles_created_at'), ['created_at'], unique=False)

    op.create_table('volunteer_shifts',
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=160), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_volunteer_shifts_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['role_id'], ['volunteer_roles.id'], name=op.f('fk_volunteer_shifts_role_id_volunteer_roles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_volunteer_shifts_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_shifts'))
    )
    with op.batch_alter_table('volunteer_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_shifts_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_volunteer_shifts_order', [sa.literal_column('starts_at ASC'), sa.literal_column('id ASC')], unique=False, postgresql_include=['title', 'role_id'])
        batch_op.create_index('ix_volunteer_shifts_role_id_order', [sa.literal_column('role_id ASC'), sa.literal_column('starts_at ASC'), sa.literal_column('id ASC')], unique=False, postgresql_include=[])

    op.create_table('volunteer_signups',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_volunteer_signups_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_volunteer_signups_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shift_id'], ['volunteer_shifts.id'], name=op.f('fk_volunteer_signups_shift_id_volunteer_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_volunteer_signups_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_signups')),
    sa.UniqueConstraint('shift_id', 'contact_id', name='uq_volunteer_signups_shift_contact')
    )
    with op.batch_alter_table('volunteer_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_signups_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_volunteer_signups_contact_id_order', [sa.literal_column('contact_id ASC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])
        batch_op.create_index(batch_op.f('ix_volunteer_signups_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_volunteer_signups_shift_id_order', [sa.literal_column('shift_id ASC'), sa.literal_column('id DESC')], unique=False, postgresql_include=[])

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('volunteer_skills', sa.String(length=255), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('volunteer_skills')

    with op.batch_alter_table('volunteer_signups', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_signups_shift_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_volunteer_signups_created_at'))
        batch_op.drop_index('ix_volunteer_signups_contact_id_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_volunteer_signups_contact_id'))

    op.drop_table('volunteer_signups')
    with op.batch_alter_table('volunteer_shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_shifts_role_id_order', postgresql_include=[])
        batch_op.drop_index('ix_volunteer_shifts_order', postgresql_include=['title', 'role_id'])
        batch_op.drop_index(batch_op.f('ix_volunteer_shifts_created_at'))

    op.drop_table('volunteer_shifts')
    with op.batch_alter_table('volunteer_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_roles_created_at'))

    op.drop_table('volunteer_roles')
