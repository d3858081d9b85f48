"""applications by round and stage, in reference order: a round's applications in assessment
(the team's assignment of assessors) are a page read from the index, and counted from it,
instead of every application in the stage across the rounds

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 21:45:00
"""

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_applications_round_stage_reference', 'applications',
                    ['round_id', 'stage', 'reference'])


def downgrade() -> None:
    op.drop_index('ix_applications_round_stage_reference', table_name='applications')
