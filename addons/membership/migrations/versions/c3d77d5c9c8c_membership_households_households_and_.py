"""membership households: households and the contacts' household

Households (a name, a salutation for letters, notes) and each contact's household
(empty for every existing contact).

Revision ID: c3d77d5c9c8c
Revises: 05aa20c662dc
Create Date: 2026-12-05 22:08:35.588471
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = 'c3d77d5c9c8c'
down_revision = '05aa20c662dc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('households',
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('salutation', sa.String(length=160), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_households_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_households_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_households_order', [sa.literal_column('name ASC'), sa.literal_column('id ASC')], unique=False, postgresql_include=[])

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_household_id'), ['household_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contacts_household_id_households'), 'households', ['household_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contacts_household_id_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contacts_household_id'))
        batch_op.drop_column('household_id')

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_order', postgresql_include=[])
        batch_op.drop_index(batch_op.f('ix_households_created_at'))

    op.drop_table('households')
