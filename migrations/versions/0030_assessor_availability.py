"""an assessor's absence: the last day they are away, so that the assignment's proposal passes
them over until it has passed (the team may still choose them)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('away_until', sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE people DROP COLUMN away_until")  # SQLite 3.35 and later
