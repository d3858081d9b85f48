"""retention: when an application's personal data was removed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 15:50:32.644835
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import regie.records


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', regie.records.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

