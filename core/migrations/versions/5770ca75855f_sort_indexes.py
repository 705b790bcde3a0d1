"""sort indexes of the kernel's lists

Every list's default order is served by an index ending with the id, so the first and any
deep page of a list cost the same at any size (core.models.sorting).

Revision ID: 5770ca75855f
Revises: 48d8a7b22c66
Create Date: 2026-12-04 06:08:23.909173
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import create_sort_indexes, drop_sort_indexes

revision = '5770ca75855f'
down_revision = '48d8a7b22c66'
branch_labels = None
depends_on = None

#: The indexes serving each list's default order and sorts (core.models.sorting).
SORT_INDEXES = [
    ('ix_attachments_order', 'attachments', [('created_at', True, False), ('id', True, False)]),
    ('ix_consents_order', 'consents', [('address', False, False), ('channel', False, False), ('id', False, False)]),
    ('ix_mail_links_order', 'mail_links', [('message_id', False, False), ('position', False, False), ('id', False, False)]),
    ('ix_model_access_order', 'model_access', [('model', False, False), ('id', False, False)]),
    ('ix_notifications_order', 'notifications', [('created_at', True, False), ('id', True, False)]),
    ('ix_record_rules_order', 'record_rules', [('model', False, False), ('name', False, False), ('id', False, False)]),
    ('ix_roles_order', 'roles', [('name', False, False), ('id', False, False)]),
    ('ix_saved_filters_order', 'saved_filters', [('model', False, False), ('name', False, False), ('id', False, False)]),
    ('ix_users_order', 'users', [('name', False, False), ('id', False, False)]),
    ('ix_webhook_subscriptions_order', 'webhook_subscriptions', [('name', False, False), ('id', False, False)]),
]


def upgrade() -> None:
    create_sort_indexes(op, SORT_INDEXES)


def downgrade() -> None:
    drop_sort_indexes(op, SORT_INDEXES)
