"""who last saved an application's draft, so that a colleague's save from a form opened before
is told by whom (regie.revisions); not a foreign key: a person removed leaves the number, and
the message then says "elsewhere"

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 16:48:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # not in batch mode: on SQLite that copies the table, and drops the search triggers of
    # applications (0019, 0023); both databases add a column in place
    op.add_column('applications', sa.Column('updated_by', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE applications DROP COLUMN updated_by")  # SQLite 3.35 and later
