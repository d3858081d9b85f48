"""kept histories without a result column: the result a page shows of a closed round or ledger
is read from the kept events, which the audit log's hash covers; a column beside them was not
covered, so it could be altered unseen

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kept_histories', schema=None) as batch_op:
        batch_op.drop_column('result')


def downgrade() -> None:
    # the results are not written back: the earlier code then asks the workflow, as for a
    # copy kept without one
    with op.batch_alter_table('kept_histories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result', sa.Text(), nullable=True))
