"""after the award

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 13:59:42.582149
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import regie.records


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


FTS_COLUMNS = ("title", "summary", "results", "lessons")


def _search_upgrade() -> None:
    """The knowledge centre's full-text index: FTS5 in SQLite, a Dutch tsvector in PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        cols = ", ".join(FTS_COLUMNS)
        new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
        old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
        op.execute(f"CREATE VIRTUAL TABLE knowledge_fts USING fts5({cols}, "
                   "content='knowledge_entries', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"INSERT INTO knowledge_fts(rowid, {cols}) SELECT id, {cols} "
                   "FROM knowledge_entries")
        op.execute(f"CREATE TRIGGER knowledge_fts_ai AFTER INSERT ON knowledge_entries BEGIN "
                   f"INSERT INTO knowledge_fts(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER knowledge_fts_ad AFTER DELETE ON knowledge_entries BEGIN "
                   f"INSERT INTO knowledge_fts(knowledge_fts, rowid, {cols}) "
                   f"VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER knowledge_fts_au AFTER UPDATE ON knowledge_entries BEGIN "
                   f"INSERT INTO knowledge_fts(knowledge_fts, rowid, {cols}) "
                   f"VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO knowledge_fts(rowid, {cols}) VALUES (new.id, {new}); END")
    else:
        op.execute(f"CREATE INDEX ix_knowledge_search ON knowledge_entries USING gin "
                   f"(({SEARCH_VECTOR}))")


SEARCH_VECTOR = ("to_tsvector('dutch', coalesce(title, '') || ' ' || coalesce(summary, '') || "
                 "' ' || coalesce(results, '') || ' ' || coalesce(lessons, ''))")


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', regie.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_reference'), ['reference'], unique=False)

    with op.batch_alter_table('knowledge_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lessons', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('organisation_types', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('activities', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('documents', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_knowledge_entries_year'), ['year'], unique=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.JSON(), nullable=False, server_default='{}'))

    _search_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("knowledge_fts_ai", "knowledge_fts_ad", "knowledge_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_knowledge_search")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('content')

    with op.batch_alter_table('knowledge_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_entries_year'))
        batch_op.drop_column('year')
        batch_op.drop_column('documents')
        batch_op.drop_column('activities')
        batch_op.drop_column('organisation_types')
        batch_op.drop_column('lessons')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_reference'))

    op.drop_table('attachments')
