"""flat costs: the overview's stage pages by index; PostgreSQL keeps the knowledge centre's
search vector as a stored column, so ranking a search does not parse every match again

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 16:40:29.743212
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SEARCH_VECTOR = ("to_tsvector('dutch', coalesce(title, '') || ' ' || coalesce(summary, '') || "
                 "' ' || coalesce(results, '') || ' ' || coalesce(lessons, ''))")


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_stage_reference', ['stage', 'reference'],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE knowledge_entries ADD COLUMN search_vector tsvector "
                   f"GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED")
        op.execute("CREATE INDEX ix_knowledge_search_vector ON knowledge_entries "
                   "USING gin (search_vector)")
        op.execute("DROP INDEX ix_knowledge_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_knowledge_search ON knowledge_entries USING gin "
                   f"(({SEARCH_VECTOR}))")
        op.execute("ALTER TABLE knowledge_entries DROP COLUMN search_vector")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_stage_reference')
