"""overview search in SQLite: trigram full-text indexes (FTS5) on what the team's overview
searches (an application's reference and title, an organisation's name), so that a search by
any part of them reads the index instead of every application, as migration 0018's trigram
indexes do in PostgreSQL; SQLite only (3.34 or newer: the trigram tokenizer)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 11:00:00
"""

from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# index table: (table it indexes, its columns). External content: the index holds the
# trigrams, the table the text; triggers keep them in step, on changes of these columns only
# (an application's row changes with each stage, its reference and title rarely). A later
# migration that rebuilds applications or organisations in SQLite (Alembic's batch mode copies
# the table and drops the old one) drops these triggers with it and must create them again:
# tests/test_read_model.py finds a retitled grant by its new title only while they work.
INDEXES = {
    "overview_search_applications": ("applications", ("reference", "title")),
    "overview_search_organisations": ("organisations", ("name",)),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for index, (table, columns) in INDEXES.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5({cols}, content='{table}', "
                   "content_rowid='id', tokenize='trigram')")
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
        op.execute(f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {index}({index}, rowid, {cols}) "
                   f"VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER {index}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
                   f"INSERT INTO {index}({index}, rowid, {cols}) "
                   f"VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for index in INDEXES:
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER {index}_{trigger}")
        op.execute(f"DROP TABLE {index}")
