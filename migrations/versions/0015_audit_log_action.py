"""audit log by action: the web app's metrics count the histories lost on every scrape, which
must not read the whole log as it grows with every action on every grant

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 06:00:00
"""

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_log_action', 'audit_log', ['action'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_action', table_name='audit_log')
