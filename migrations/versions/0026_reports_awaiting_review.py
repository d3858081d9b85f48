"""reports awaiting review: a partial index of the reports sent and not yet accepted, which
the team's overview lists, so that its worklist reads those alone however many reports the
programme holds

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# as each database writes the overview's condition, so that its planner takes the index
AWAITING_REVIEW = {"postgresql_where": sa.text("submitted_at IS NOT NULL AND NOT accepted"),
                   "sqlite_where": sa.text("submitted_at IS NOT NULL AND accepted = 0")}


def upgrade() -> None:
    op.create_index('ix_reports_awaiting_review', 'reports', ['submitted_at', 'id'],
                    **AWAITING_REVIEW)


def downgrade() -> None:
    op.drop_index('ix_reports_awaiting_review', table_name='reports')
