"""draft revisions: a count of the saves of an application's draft and of a report's draft,
which the form carries, so that a save made from a form opened before someone else's save is
told so instead of replacing it unseen

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # not in batch mode: on SQLite that copies the table, and drops the search triggers of
    # applications (0019, 0023); both databases add a column in place
    for table in ('applications', 'report_drafts'):
        op.add_column(table, sa.Column('revision', sa.Integer(), nullable=False,
                                       server_default='0'))


def downgrade() -> None:
    for table in ('report_drafts', 'applications'):
        op.execute(f"ALTER TABLE {table} DROP COLUMN revision")  # SQLite 3.35 and later
