"""sign-in attempts: failed passwords and codes, and password resets asked for, counted per key
so that too many close that step for a while, on every web app replica alike

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 22:15:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import regie.records

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', regie.records.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sign_in_attempts_key_at', 'sign_in_attempts', ['key', 'at'])


def downgrade() -> None:
    op.drop_index('ix_sign_in_attempts_key_at', table_name='sign_in_attempts')
    op.drop_table('sign_in_attempts')
