"""overview search without accents: "financiele" finds "financiële" and "Curaçao" finds
"Curacao", by reference, title or organisation's name. PostgreSQL: migration 0018's trigram
indexes on titles and names become indexes on them unaccented (regie_unaccent, 0021). SQLite:
migration 0019's trigram tables held the text as typed (its trigram tokenizer, in 3.40, cannot
fold accents); they become contentless tables of the text folded by regie_fold
(regie.overview.fold, registered on each connection by regie.db.sqlite_functions)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 06:30:00
"""

from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# PostgreSQL: index name, table, column
UNACCENTED = {
    "ix_overview_search_title": ("applications", "title"),
    "ix_overview_search_organisation": ("organisations", "name"),
}
# SQLite: index table, the table it indexes, its columns, those of them folded. The table
# holds the trigrams only (content=''): the triggers give it the folded text, and remove a
# row with the text it was given, folded again the same way. A later migration that rebuilds
# applications or organisations in SQLite (Alembic's batch mode copies the table and drops the
# old one) drops these triggers with it and must create them again: tests/test_read_model.py
# finds a retitled grant by its new title only while they work.
FOLDED = {
    "overview_search_applications": ("applications", ("reference", "title"), {"title"}),
    "overview_search_organisations": ("organisations", ("name",), {"name"}),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql("regie_unaccent({})")
        return
    for index, (table, columns, folded) in FOLDED.items():
        values = _values(columns, folded)
        _sqlite(index, table, columns, "content=''", values,
                f"INSERT INTO {index}(rowid, {', '.join(columns)}) "
                f"SELECT id, {values(table)} FROM {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql("{}")
        return
    for index, (table, columns, _folded) in FOLDED.items():  # as migration 0019 made them
        _sqlite(index, table, columns, f"content='{table}', content_rowid='id'",
                _values(columns, folded=set()), f"INSERT INTO {index}({index}) VALUES ('rebuild')")


def _values(columns: tuple[str, ...], folded: set[str]):
    """The SQL of `columns` of a row, those in `folded` through regie_fold."""
    return lambda row: ", ".join(f"regie_fold({row}.{c})" if c in folded else f"{row}.{c}"
                                 for c in columns)


def _postgresql(indexed: str) -> None:
    """Migration 0018's trigram indexes on titles and names, on `indexed` of the column."""
    for name, (table, column) in UNACCENTED.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON {table} "
                   f"USING gin ({indexed.format(column)} gin_trgm_ops)")


def _sqlite(index: str, table: str, columns: tuple[str, ...], content: str, values,
            fill: str) -> None:
    """In place of the trigram table `index` on `table` and its triggers: a new one with
    `content`, filled by `fill`, whose triggers give it `values(row)` of each row."""
    for trigger in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER {index}_{trigger}")
    op.execute(f"DROP TABLE {index}")
    cols = ", ".join(columns)
    op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5({cols}, {content}, tokenize='trigram')")
    op.execute(fill)
    op.execute(f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {values('new')}); END")
    op.execute(f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {index}({index}, rowid, {cols}) "
               f"VALUES ('delete', old.id, {values('old')}); END")
    op.execute(f"CREATE TRIGGER {index}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
               f"INSERT INTO {index}({index}, rowid, {cols}) "
               f"VALUES ('delete', old.id, {values('old')}); "
               f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {values('new')}); END")
