"""journey members and deliveries about a subject

A journey member, and a campaign delivery, may be about a record of another addon
(`carts:17`): a contact enters a journey, and gets its message, once per subject. The
existing rows are about nothing (""). Downgrading forgets the rows about a subject.

Revision ID: 1a11cd5e5baf
Revises: 52739189a7fa
Create Date: 2026-12-05 05:56:05.347861
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db
import core.models.types
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())


revision = '1a11cd5e5baf'
down_revision = '52739189a7fa'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=80), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_campaign_deliveries_message_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_campaign_deliveries_message_id'), ['message_id', 'contact_id', 'subject'])

    with op.batch_alter_table('journey_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=80), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_journey_members_journey_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_journey_members_journey_id'), ['journey_id', 'contact_id', 'subject'])



def downgrade() -> None:
    op.execute("DELETE FROM journey_members WHERE subject <> ''")
    op.execute("DELETE FROM campaign_deliveries WHERE subject <> ''")
    with op.batch_alter_table('journey_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_journey_members_journey_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_journey_members_journey_id'), ['journey_id', 'contact_id'])
        batch_op.drop_column('subject')

    with op.batch_alter_table('campaign_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_campaign_deliveries_message_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_campaign_deliveries_message_id'), ['message_id', 'contact_id'])
        batch_op.drop_column('subject')

