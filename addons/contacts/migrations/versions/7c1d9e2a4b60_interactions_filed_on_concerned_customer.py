"""interactions concerning a contact or an account are filed on it

Revision ID: 7c1d9e2a4b60
Revises: 2e2c4634b840
Create Date: 2026-11-23 15:40:00

A touch logged with related_model 'contacts' or 'accounts' and no contact_id or
account_id gets it, as Interaction.before_save now does for new ones, so the timeline of
a contact or an account reads one index range (contact_id or account_id, newest first).
"""
from __future__ import annotations

from alembic import op

revision = '7c1d9e2a4b60'
down_revision = '2e2c4634b840'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE interactions SET contact_id = related_id "
               "WHERE related_model = 'contacts' AND contact_id IS NULL AND related_id IS NOT NULL "
               "AND related_id IN (SELECT id FROM contacts)")
    op.execute("UPDATE interactions SET account_id = related_id "
               "WHERE related_model = 'accounts' AND account_id IS NULL AND related_id IS NOT NULL "
               "AND related_id IN (SELECT id FROM accounts)")
    op.execute("UPDATE interactions SET account_id = (SELECT account_id FROM contacts "
               "WHERE contacts.id = interactions.contact_id) "
               "WHERE account_id IS NULL AND contact_id IS NOT NULL AND related_model = 'contacts'")


def downgrade() -> None:
    """The filing is kept: the older timeline query finds these touches either way."""
