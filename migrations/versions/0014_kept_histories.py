"""kept histories: a closed workflow's Temporal history (a grant's, a round's) and its result,
kept in Regie's database before the namespace's retention period removes it from Temporal

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 23:45:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import regie.records

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kept_histories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('run_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('events', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('closed_at', regie.records.UTCDateTime(), nullable=False),
    sa.Column('kept_at', regie.records.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_kept_histories_workflow_id', 'kept_histories', ['workflow_id'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('ix_kept_histories_workflow_id', table_name='kept_histories')
    op.drop_table('kept_histories')
