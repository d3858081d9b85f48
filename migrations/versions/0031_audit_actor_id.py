"""the person an audit entry's actor is, by number, beside their name: a person's own data
(AVG/GDPR article 15) then holds their entries and not those of someone of the same name.
Entries written before keep no number (and their hashes); those are still found by name

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 17:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_log', sa.Column('actor_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_log_actor_id', 'audit_log', ['actor_id'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_actor_id', table_name='audit_log')
    op.execute("ALTER TABLE audit_log DROP COLUMN actor_id")  # SQLite 3.35 and later
