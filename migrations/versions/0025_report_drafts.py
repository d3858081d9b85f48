"""report drafts: a report being written, saved as its grantee types and whenever they send
the form, with the files they sent with it, until the report is submitted

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import regie.records

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('report_index', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('saved_by', sa.Integer(), nullable=False),
    sa.Column('saved_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['saved_by'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference', 'report_index')
    )


def downgrade() -> None:
    op.drop_table('report_drafts')
