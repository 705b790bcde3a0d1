"""normalised phone numbers of accounts and contacts, to find duplicates by

Revision ID: b3f1c2d4e5a6
Revises: 7c1d9e2a4b60
Create Date: 2026-12-04 03:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.phones import phone_key

revision = 'b3f1c2d4e5a6'
down_revision = '7c1d9e2a4b60'
branch_labels = None
depends_on = None

_BATCH = 5000


def _backfill(table: str, pairs: tuple[tuple[str, str], ...]) -> None:
    """Fill the keys of the rows already there, a batch of ids at a time."""
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column("country"), *(sa.column(c) for pair in pairs for c in pair))
    sources = [rows.c[source] for source, _key in pairs]
    last = 0
    while True:
        batch = bind.execute(sa.select(rows.c.id, rows.c.country, *sources).where(rows.c.id > last)
                             .where(sa.or_(*(s.is_not(None) for s in sources))).order_by(rows.c.id).limit(_BATCH)).all()
        if not batch:
            return
        for row in batch:
            keys = {key: phone_key(getattr(row, source), row.country) for source, key in pairs}
            bind.execute(rows.update().where(rows.c.id == row.id).values(**keys))
        last = batch[-1].id


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_key', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_accounts_phone_key'), ['phone_key'], unique=False)
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('mobile_key', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_phone_key'), ['phone_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_mobile_key'), ['mobile_key'], unique=False)
    _backfill('accounts', (('phone', 'phone_key'),))
    _backfill('contacts', (('phone', 'phone_key'), ('mobile', 'mobile_key')))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_mobile_key'))
        batch_op.drop_index(batch_op.f('ix_contacts_phone_key'))
        batch_op.drop_column('mobile_key')
        batch_op.drop_column('phone_key')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_phone_key'))
        batch_op.drop_column('phone_key')
