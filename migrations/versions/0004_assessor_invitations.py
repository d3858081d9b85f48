"""invitations for assessors

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 13:50:39.061409
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import regie.records


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='grantee'))
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.alter_column('organisation_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('organisation_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('name')
        batch_op.drop_column('role')

