"""an assessor's expertise: the pillars and target groups (the scheme file's keys) they know,
which the assignment's proposal offers first to an application about them

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 17:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('expertise', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    op.execute("ALTER TABLE people DROP COLUMN expertise")  # SQLite 3.35 and later
