"""the grant's amount beside each action on its timeline that sets it (an award, an amendment
of the award, a settlement): the payments an amendment makes due are read from it. Actions of
earlier releases keep none; none of them amended an award, as no release before could

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('grant_events', sa.Column('amount_cents', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE grant_events DROP COLUMN amount_cents")  # SQLite 3.35 and later
