"""analytics: RFM kept incrementally

The customers of the RFM window as last computed (`analytics_rfm_customers`), the window
they describe (`analytics_rfm_window`), and the contacts whose revenue facts changed
since (`analytics_rfm_changes`), which triggers on `analytics_transactions` keep in the
transaction of every write: PostgreSQL statement-level triggers with transition tables
(one grouped insert per statement), SQLite row-level triggers. The first computation
after this fills the customers from every fact.

The kinds marked are the revenue kinds of `addons.analytics.models.transactions`; a
migration that changes them, or that rebuilds `analytics_transactions` (SQLite's batch
mode copies the table, and its triggers are gone with the old one), recreates these
triggers.

Revision ID: 3eeb98dbf3dd
Revises: e3059a31e532
Create Date: 2026-12-06 12:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '3eeb98dbf3dd'
down_revision = 'e3059a31e532'
branch_labels = None
depends_on = None

_KINDS = "('purchase', 'refund', 'donation', 'membership_payment', 'other')"


def _postgresql_triggers() -> list[str]:
    def mark(rows: str) -> str:
        # DO UPDATE, not DO NOTHING: it locks a mark the computation is taking, so the
        # computation waits for this transaction and then reads its facts.
        return (f"INSERT INTO analytics_rfm_changes (contact_id) SELECT DISTINCT contact_id FROM {rows} "
                f"WHERE kind IN {_KINDS} ORDER BY contact_id "
                "ON CONFLICT (contact_id) DO UPDATE SET contact_id = excluded.contact_id")

    function = f"""
CREATE FUNCTION analytics_rfm_mark() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM analytics_rfm_window;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {mark("new_rows")};
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {mark("old_rows")};
    END IF;
    RETURN NULL;
END
$body$"""
    run = "FOR EACH STATEMENT EXECUTE FUNCTION analytics_rfm_mark()"
    return [
        function,
        f"CREATE TRIGGER analytics_rfm_mark_insert AFTER INSERT ON analytics_transactions "
        f"REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER analytics_rfm_mark_update AFTER UPDATE ON analytics_transactions "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER analytics_rfm_mark_delete AFTER DELETE ON analytics_transactions "
        f"REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER analytics_rfm_mark_truncate AFTER TRUNCATE ON analytics_transactions {run}",
    ]


def _sqlite_triggers() -> list[str]:
    def mark(row: str) -> str:
        return f"INSERT OR IGNORE INTO analytics_rfm_changes (contact_id) SELECT {row}.contact_id WHERE {row}.kind IN {_KINDS};"

    return [
        f"CREATE TRIGGER analytics_rfm_mark_insert AFTER INSERT ON analytics_transactions BEGIN {mark('NEW')} END",
        "CREATE TRIGGER analytics_rfm_mark_update AFTER UPDATE OF contact_id, occurred_on, amount, kind "
        f"ON analytics_transactions BEGIN {mark('OLD')} {mark('NEW')} END",
        f"CREATE TRIGGER analytics_rfm_mark_delete AFTER DELETE ON analytics_transactions BEGIN {mark('OLD')} END",
    ]


def upgrade() -> None:
    op.create_table('analytics_rfm_changes',
    sa.Column('contact_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_analytics_rfm_changes'))
    )
    op.create_table('analytics_rfm_window',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_rfm_window'))
    )
    op.create_table('analytics_rfm_customers',
    sa.Column('contact_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_purchase_on', sa.Date(), nullable=False),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=24, scale=8), nullable=False),
    sa.Column('recency', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Integer(), nullable=True),
    sa.Column('monetary', sa.Integer(), nullable=True),
    sa.Column('segment', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_analytics_rfm_customers_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_analytics_rfm_customers'))
    )
    with op.batch_alter_table('analytics_rfm_customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_rfm_customers_amount'), ['amount'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_rfm_customers_last_purchase_on'), ['last_purchase_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_rfm_customers_purchases'), ['purchases'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # Room in each page for a customer's new scores: most are then updated in place
        # (a heap-only tuple, no index touched), as their scores are not indexed.
        op.execute("ALTER TABLE analytics_rfm_customers SET (fillfactor = 80)")
    for statement in _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS analytics_rfm_mark() CASCADE")
    else:
        for operation in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS analytics_rfm_mark_{operation}")
    op.drop_table('analytics_rfm_customers')
    op.drop_table('analytics_rfm_window')
    op.drop_table('analytics_rfm_changes')
