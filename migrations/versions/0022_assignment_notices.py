"""assignment notices: an assessor's new assignments wait here for their digest e-mail, one
mail for the assignments of a sitting instead of one for each

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 04:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import regie.records

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assignment_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('digest_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['assessor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index('ix_assignment_notices_assessor_id', 'assignment_notices', ['assessor_id'])
    op.create_index('ix_assignment_notices_digest_key', 'assignment_notices', ['digest_key'])


def downgrade() -> None:
    op.drop_index('ix_assignment_notices_digest_key', table_name='assignment_notices')
    op.drop_index('ix_assignment_notices_assessor_id', table_name='assignment_notices')
    op.drop_table('assignment_notices')
