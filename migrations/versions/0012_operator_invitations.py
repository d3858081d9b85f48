"""operator invitations: an invitation from `regie invite` has no inviting person

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('invited_by', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM invitations WHERE invited_by IS NULL")
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('invited_by', existing_type=sa.Integer(), nullable=False)
