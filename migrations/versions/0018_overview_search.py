"""overview search: trigram indexes on what the team's overview searches (an application's
reference and title, an organisation's name), so that a search by any part of them reads the
index instead of every application; PostgreSQL only (SQLite reads the table)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 07:00:00
"""

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# ILIKE '%term%' reads these for a term of three characters or more (pg_trgm, part of every
# PostgreSQL distribution and trusted: a database owner may create it).
INDEXES = {
    "ix_overview_search_reference": ("applications", "reference"),
    "ix_overview_search_title": ("applications", "title"),
    "ix_overview_search_organisation": ("organisations", "name"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX {name}")
