"""mail notices: a grant's mail to its assessors or the programme team waits here for the
recipients' digest e-mail, one mail for what comes at once instead of one for each

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
    op.create_table('mail_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=True),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('digest_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['assessor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    for column in ('assessor_id', 'reference', 'digest_key'):
        op.create_index(f'ix_mail_notices_{column}', 'mail_notices', [column])


def downgrade() -> None:
    for column in ('assessor_id', 'reference', 'digest_key'):
        op.drop_index(f'ix_mail_notices_{column}', table_name='mail_notices')
    op.drop_table('mail_notices')
