"""initial records

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 13:13:43.843279
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import regie.records


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('organisations', sa.JSON(), nullable=False),
    sa.Column('pillars', sa.JSON(), nullable=False),
    sa.Column('target_groups', sa.JSON(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('results', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('archived_at', regie.records.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('knowledge_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_entries_reference'), ['reference'], unique=True)

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('organisation_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kvk_number', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('has_funding_evidence', sa.Boolean(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_organisation_type'), ['organisation_type'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('sent_at', regie.records.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_outbox_reference'), ['reference'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('round_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scheme_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scheme_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('partner_ids', sa.JSON(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('pillars', sa.JSON(), nullable=False),
    sa.Column('target_groups', sa.JSON(), nullable=False),
    sa.Column('requested_cents', sa.Integer(), nullable=False),
    sa.Column('submitted_at', regie.records.UTCDateTime(), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('deadline', regie.records.UTCDateTime(), nullable=True),
    sa.Column('awarded_cents', sa.Integer(), nullable=True),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('updated_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_reference'), ['reference'], unique=True)
        batch_op.create_index(batch_op.f('ix_applications_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_stage'), ['stage'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_email'), ['email'], unique=True)
        batch_op.create_index(batch_op.f('ix_people_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_role'), ['role'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('submitted_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['assessor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'assessor_id')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_assessor_id'), ['assessor_id'], unique=False)

    op.create_table('assessor_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['assessor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'assessor_id')
    )
    with op.batch_alter_table('assessor_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessor_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessor_assignments_assessor_id'), ['assessor_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('awarded', sa.Boolean(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_application_id'), ['application_id'], unique=True)

    op.create_table('grant_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'seq')
    )
    with op.batch_alter_table('grant_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_events_application_id'), ['application_id'], unique=False)

    op.create_table('project_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('budget_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('project_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_activities_application_id'), ['application_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('submitted_at', regie.records.UTCDateTime(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('review_comment', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'position')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_application_id'), ['application_id'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('expires_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_token_hash'), ['token_hash'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_token_hash'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_person_id'))

    op.drop_table('web_sessions')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_application_id'))

    op.drop_table('reports')
    with op.batch_alter_table('project_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_activities_application_id'))

    op.drop_table('project_activities')
    with op.batch_alter_table('grant_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_events_application_id'))

    op.drop_table('grant_events')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_application_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('assessor_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessor_assignments_assessor_id'))
        batch_op.drop_index(batch_op.f('ix_assessor_assignments_application_id'))

    op.drop_table('assessor_assignments')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_assessor_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_application_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_role'))
        batch_op.drop_index(batch_op.f('ix_people_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_people_email'))

    op.drop_table('people')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_stage'))
        batch_op.drop_index(batch_op.f('ix_applications_round_id'))
        batch_op.drop_index(batch_op.f('ix_applications_reference'))
        batch_op.drop_index(batch_op.f('ix_applications_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_applications_deadline'))

    op.drop_table('applications')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_reference'))
        batch_op.drop_index(batch_op.f('ix_outbox_key'))

    op.drop_table('outbox')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_organisation_type'))

    op.drop_table('organisations')
    with op.batch_alter_table('knowledge_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_entries_reference'))

    op.drop_table('knowledge_entries')
