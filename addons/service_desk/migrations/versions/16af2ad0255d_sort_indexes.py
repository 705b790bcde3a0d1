"""service desk: sort indexes of the lists

The default orders of tickets and the service desk's other lists, the same behind an
assignee, a team (an agent's and a team's queue) and a status (a column of the board), and the sortable next SLA due time
are each served by an index ending with the id (core.models.sorting). The plain index on
the next due time is dropped: the sort index serves its lookups.

Revision ID: 16af2ad0255d
Revises: 6a1f0c2b9d47
Create Date: 2026-12-04 06:09:29.935308
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import create_sort_indexes, drop_sort_indexes

revision = '16af2ad0255d'
down_revision = '6a1f0c2b9d47'
branch_labels = None
depends_on = None

#: The indexes serving each list's default order and sorts (core.models.sorting).
SORT_INDEXES = [
    ('ix_business_calendars_order', 'business_calendars', [('name', False, False), ('id', False, False)]),
    ('ix_calendar_holidays_order', 'calendar_holidays', [('calendar_id', False, False), ('day', False, False), ('id', False, False)]),
    ('ix_calendar_time_frames_order', 'calendar_time_frames', [('calendar_id', False, False), ('id', False, False)]),
    ('ix_canned_responses_order', 'canned_responses', [('name', False, False), ('id', False, False)]),
    ('ix_helpdesk_macros_order', 'helpdesk_macros', [('name', False, False), ('id', False, False)]),
    ('ix_helpdesk_teams_order', 'helpdesk_teams', [('name', False, False), ('id', False, False)]),
    ('ix_kb_article_versions_order', 'kb_article_versions', [('article_id', False, False), ('revision', True, False), ('id', True, False)]),
    ('ix_kb_articles_order', 'kb_articles', [('title', False, False), ('id', False, False)]),
    ('ix_kb_categories_order', 'kb_categories', [('sequence', False, False), ('name', False, False), ('id', False, False)]),
    ('ix_sla_escalations_order', 'sla_escalations', [('policy_id', False, False), ('id', False, False)]),
    ('ix_sla_policies_order', 'sla_policies', [('sequence', False, False), ('id', False, False)]),
    ('ix_team_members_order', 'team_members', [('team_id', False, False), ('id', False, False)]),
    ('ix_ticket_attachments_order', 'ticket_attachments', [('ticket_id', False, False), ('id', False, False)]),
    ('ix_ticket_messages_order', 'ticket_messages', [('ticket_id', False, False), ('sent_at', False, True), ('id', False, False)]),
    ('ix_ticket_sla_events_order', 'ticket_sla_events', [('occurred_at', True, False), ('id', True, False)]),
    ('ix_ticket_status_history_order', 'ticket_status_history', [('ticket_id', False, False), ('changed_at', False, False), ('id', False, False)]),
    ('ix_tickets_assignee_id_order', 'tickets', [('assignee_id', False, True), ('opened_at', True, True), ('id', True, False)]),
    ('ix_tickets_status_order', 'tickets', [('status', False, False), ('opened_at', True, True), ('id', True, False)]),
    ('ix_tickets_order', 'tickets', [('opened_at', True, True), ('id', True, False)]),
    ('ix_tickets_sort_sla_next_due_at', 'tickets', [('sla_next_due_at', False, True), ('id', False, False)]),
    ('ix_tickets_team_id_order', 'tickets', [('team_id', False, True), ('opened_at', True, True), ('id', True, False)]),
]
#: (index, table, columns) of plain indexes a sort index above now serves as well.
REPLACED = [
    ('ix_tickets_sla_next_due_at', 'tickets', ['sla_next_due_at']),
]


def upgrade() -> None:
    create_sort_indexes(op, SORT_INDEXES, replacing=REPLACED)


def downgrade() -> None:
    drop_sort_indexes(op, SORT_INDEXES, replacing=REPLACED)
