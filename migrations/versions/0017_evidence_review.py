"""evidence review: the programme team's judgement of an organisation's evidence of funding
(who, when, and the reason when it found it insufficient)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 17:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import regie.records

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_reviewed_at', regie.records.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('evidence_reviewed_by', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('evidence_refusal', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('evidence_refusal')
        batch_op.drop_column('evidence_reviewed_by')
        batch_op.drop_column('evidence_reviewed_at')
