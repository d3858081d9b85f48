"""intake: drafts, activity texts and budget lines, invitations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 13:31:37.031947
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import regie.records


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('expires_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', regie.records.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by'], ['people.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_token_hash'), ['token_hash'], unique=True)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marginalised_groups', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('created_by', sa.Integer(), nullable=True))
        batch_op.alter_column('reference',
               existing_type=sa.VARCHAR(),
               nullable=True)
        batch_op.create_foreign_key('fk_applications_created_by_people', 'people', ['created_by'], ['id'])

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding_evidence', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))

    with op.batch_alter_table('project_activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('monitoring', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('who_does_what', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lines', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.alter_column('start', existing_type=sa.DATE(), nullable=True)
        batch_op.alter_column('end', existing_type=sa.DATE(), nullable=True)



def downgrade() -> None:
    with op.batch_alter_table('project_activities', schema=None) as batch_op:
        batch_op.alter_column('end', existing_type=sa.DATE(), nullable=False)
        batch_op.alter_column('start', existing_type=sa.DATE(), nullable=False)
        batch_op.drop_column('lines')
        batch_op.drop_column('who_does_what')
        batch_op.drop_column('monitoring')
        batch_op.drop_column('goal')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('funding_evidence')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_applications_created_by_people', type_='foreignkey')
        batch_op.alter_column('reference',
               existing_type=sa.VARCHAR(),
               nullable=False)
        batch_op.drop_column('created_by')
        batch_op.drop_column('marginalised_groups')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_token_hash'))
        batch_op.drop_index(batch_op.f('ix_invitations_organisation_id'))

    op.drop_table('invitations')
