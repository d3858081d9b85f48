"""knowledge centre search without accents in PostgreSQL, as in SQLite: "creche" finds
"crèche" and "Curacao" finds "Curaçao" (the Dutch stemmer folds only ä, ë, ï, ö, ü and the
acute accents; SQLite's FTS5 table folds every accent since 0005, remove_diacritics);
PostgreSQL only

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 23:30:00
"""

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TEXT = ("coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(results, '') "
        "|| ' ' || coalesce(lessons, '')")
FOLDED = f"to_tsvector('dutch', regie_unaccent({TEXT}))"
BEFORE = f"to_tsvector('dutch', {TEXT})"  # 0010's


def _search_vector(expression: str) -> None:
    op.execute("ALTER TABLE knowledge_entries DROP COLUMN search_vector")  # and its index
    op.execute(f"ALTER TABLE knowledge_entries ADD COLUMN search_vector tsvector "
               f"GENERATED ALWAYS AS ({expression}) STORED")
    op.execute("CREATE INDEX ix_knowledge_search_vector ON knowledge_entries "
               "USING gin (search_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # unaccent is part of every PostgreSQL distribution and trusted: a database owner may
    # create it. A generated column needs an immutable function; unaccent() is only stable
    # (its dictionary could change), so regie_unaccent names the dictionary in the schema the
    # extension is in, wherever that is.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = op.get_bind().exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension "
        "WHERE extname = 'unaccent'").scalar_one()
    op.execute(f"CREATE FUNCTION regie_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE "
               f"PARALLEL SAFE STRICT AS "
               f"$$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$")
    _search_vector(FOLDED)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _search_vector(BEFORE)
    op.execute("DROP FUNCTION regie_unaccent(text)")
