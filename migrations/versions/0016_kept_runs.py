"""kept runs: a copy of each closed run of a workflow, also of one that continued as new (the
ledger's runs), while the workflow runs on; `continued` tells such a run from the one that
closed the workflow

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kept_histories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('continued', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_index('ix_kept_histories_workflow_id')
        batch_op.create_index('ix_kept_histories_workflow_id', ['workflow_id'], unique=False)
        batch_op.create_unique_constraint('uq_kept_histories_workflow_id_run_id',
                                          ['workflow_id', 'run_id'])


def downgrade() -> None:
    with op.batch_alter_table('kept_histories', schema=None) as batch_op:
        batch_op.drop_constraint('uq_kept_histories_workflow_id_run_id', type_='unique')
        batch_op.drop_index('ix_kept_histories_workflow_id')
        batch_op.create_index('ix_kept_histories_workflow_id', ['workflow_id'], unique=True)
        batch_op.drop_column('continued')
