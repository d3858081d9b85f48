"""declared conflicts: the assessors who declared a conflict of interest on an application,
so that the assignment forms no longer offer them for it. Filled from the grants' timelines:
a declaration there names its assessor by name (grant_events keeps no account), so each is
taken to be the assessor of that name; of two assessors with one name, neither is offered
again (the grant's workflow, which knows the account, refuses only the one who declared)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('declared_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['assessor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'assessor_id')
    )
    op.create_index('ix_declared_conflicts_application_id', 'declared_conflicts',
                    ['application_id'])
    op.execute("INSERT INTO declared_conflicts (application_id, assessor_id) "
               "SELECT DISTINCT e.application_id, p.id FROM grant_events e "
               "JOIN people p ON p.name = e.actor_name AND p.role = 'assessor' "
               "WHERE e.action = 'declare_conflict'")


def downgrade() -> None:
    op.drop_index('ix_declared_conflicts_application_id', table_name='declared_conflicts')
    op.drop_table('declared_conflicts')
