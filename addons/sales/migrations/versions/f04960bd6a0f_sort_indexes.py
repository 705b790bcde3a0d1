"""sales: sort indexes of the lists

The default orders of leads, opportunities, activities and the sales settings, the same
behind an owner, a team (the rules and "My ..." filters of salespeople and managers) and a
stage (a column of the board),
and the sortable lead subject and score, deal name and amount, are each served by an index
ending with the id (core.models.sorting). The plain indexes on an owner, team, stage, score
or close date are dropped: a sort index starting with the column serves their lookups.

Revision ID: f04960bd6a0f
Revises: 88b379529698
Create Date: 2026-12-04 06:09:13.373537
"""
from __future__ import annotations

from alembic import op

from core.models.sorting import create_sort_indexes, drop_sort_indexes

revision = 'f04960bd6a0f'
down_revision = '88b379529698'
branch_labels = None
depends_on = None

#: The indexes serving each list's default order and sorts (core.models.sorting).
SORT_INDEXES = [
    ('ix_activities_order', 'activities', [('due_at', False, False), ('id', False, False)]),
    ('ix_activities_user_id_order', 'activities', [('user_id', False, True), ('due_at', False, False), ('id', False, False)]),
    ('ix_lead_assignment_rules_order', 'lead_assignment_rules', [('sequence', False, False), ('id', False, False)]),
    ('ix_lead_scoring_rules_order', 'lead_scoring_rules', [('points', True, False), ('id', False, False)]),
    ('ix_leads_order', 'leads', [('created_at', True, False), ('id', True, False)]),
    ('ix_leads_owner_id_order', 'leads', [('owner_id', False, True), ('created_at', True, False), ('id', True, False)]),
    ('ix_leads_sort_score', 'leads', [('score', False, False), ('id', False, False)]),
    ('ix_leads_sort_title', 'leads', [('title', False, True), ('id', False, False)]),
    ('ix_leads_team_id_order', 'leads', [('team_id', False, True), ('created_at', True, False), ('id', True, False)]),
    ('ix_opportunities_order', 'opportunities', [('close_date', False, True), ('id', True, False)]),
    ('ix_opportunities_owner_id_order', 'opportunities', [('owner_id', False, True), ('close_date', False, True), ('id', True, False)]),
    ('ix_opportunities_sort_amount', 'opportunities', [('amount', False, False), ('id', False, False)]),
    ('ix_opportunities_sort_name', 'opportunities', [('name', False, False), ('id', False, False)]),
    ('ix_opportunities_stage_id_order', 'opportunities', [('stage_id', False, True), ('close_date', False, True), ('id', True, False)]),
    ('ix_opportunities_team_id_order', 'opportunities', [('team_id', False, True), ('close_date', False, True), ('id', True, False)]),
    ('ix_opportunity_contacts_order', 'opportunity_contacts', [('opportunity_id', False, False), ('id', False, False)]),
    ('ix_pipeline_stages_order', 'pipeline_stages', [('sequence', False, False), ('id', False, False)]),
    ('ix_sales_quotas_order', 'sales_quotas', [('month', True, False), ('team_id', False, False), ('id', False, False)]),
    ('ix_sales_team_members_order', 'sales_team_members', [('team_id', False, False), ('id', False, False)]),
    ('ix_exchange_rates_order', 'exchange_rates', [('currency', False, False), ('valid_from', True, False), ('id', True, False)]),
    ('ix_forecast_snapshots_order', 'forecast_snapshots', [('month', True, False), ('team_id', False, True), ('id', False, False)]),
]
#: (index, table, columns) of plain indexes a sort index above now serves as well.
REPLACED = [
    ('ix_activities_user_id', 'activities', ['user_id']),
    ('ix_leads_owner_id', 'leads', ['owner_id']),
    ('ix_leads_score', 'leads', ['score']),
    ('ix_leads_team_id', 'leads', ['team_id']),
    ('ix_opportunities_close_date', 'opportunities', ['close_date']),
    ('ix_opportunities_owner_id', 'opportunities', ['owner_id']),
    ('ix_opportunities_team_id', 'opportunities', ['team_id']),
    ('ix_opportunities_stage_id', 'opportunities', ['stage_id']),
]


def upgrade() -> None:
    create_sort_indexes(op, SORT_INDEXES, replacing=REPLACED)


def downgrade() -> None:
    drop_sort_indexes(op, SORT_INDEXES, replacing=REPLACED)
