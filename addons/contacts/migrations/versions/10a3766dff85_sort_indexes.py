"""contacts: sort indexes of the lists

The default orders of accounts, contacts and interactions, the same behind an owner (the
"own records" rule and "My ..." filters), and the sortable city and email are each served
by an index ending with the id (core.models.sorting). The plain indexes on a name, city,
email or owner, and the one on (city, last name, id) that the default order behind a city
now replaces, are dropped: a sort index starting with the column serves their lookups.

Revision ID: 10a3766dff85
Revises: b3f1c2d4e5a6
Create Date: 2026-12-04 06:08:56.974685
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import create_sort_indexes, drop_sort_indexes

revision = '10a3766dff85'
down_revision = 'b3f1c2d4e5a6'
branch_labels = None
depends_on = None

#: The indexes serving each list's default order and sorts (core.models.sorting).
SORT_INDEXES = [
    ('ix_accounts_order', 'accounts', [('name', False, False), ('id', False, False)]),
    ('ix_accounts_owner_id_order', 'accounts', [('owner_id', False, True), ('name', False, False), ('id', False, False)]),
    ('ix_accounts_sort_city', 'accounts', [('city', False, True), ('id', False, False)]),
    ('ix_contacts_order', 'contacts', [('last_name', False, False), ('first_name', False, True), ('id', False, False)]),
    ('ix_contacts_owner_id_order', 'contacts', [('owner_id', False, True), ('last_name', False, False), ('first_name', False, True), ('id', False, False)]),
    ('ix_contacts_city_order', 'contacts', [('city', False, True), ('last_name', False, False), ('first_name', False, True), ('id', False, False)]),
    ('ix_contacts_sort_city', 'contacts', [('city', False, True), ('id', False, False)]),
    ('ix_contacts_sort_email', 'contacts', [('email', False, True), ('id', False, False)]),
    ('ix_interactions_order', 'interactions', [('occurred_at', True, False), ('id', True, False)]),
]
#: (index, table, columns) of plain indexes a sort index above now serves as well.
REPLACED = [
    ('ix_accounts_city', 'accounts', ['city']),
    ('ix_accounts_name', 'accounts', ['name']),
    ('ix_accounts_owner_id', 'accounts', ['owner_id']),
    ('ix_contacts_city', 'contacts', ['city']),
    ('ix_contacts_email', 'contacts', ['email']),
    ('ix_contacts_last_name', 'contacts', ['last_name']),
    ('ix_contacts_owner_id', 'contacts', ['owner_id']),
    ('ix_contacts_city_name', 'contacts', ['city', 'last_name', 'id']),
]


def upgrade() -> None:
    create_sort_indexes(op, SORT_INDEXES, replacing=REPLACED)


def downgrade() -> None:
    drop_sort_indexes(op, SORT_INDEXES, replacing=REPLACED)
