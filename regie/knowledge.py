"""The knowledge centre's search: full text (FTS5 in SQLite, a Dutch tsvector in PostgreSQL) and
filters on pillar, target group, organisation type and year, all in SQL. A search looks at the
newest RANKED projects that match it (entered last, highest id; SQLite counts those matching
its words, PostgreSQL those matching its words and filters), so its cost does not grow with
the knowledge centre; the programme has a few hundred projects, far below it."""

from __future__ import annotations

import re

from sqlalchemy import func, literal_column, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import KnowledgeEntry

# PostgreSQL: a stored, generated tsvector column with a GIN index (migration 0010), of the
# text without its accents (0021: regie_unaccent), as SQLite's FTS5 table folds them
_VECTOR = "knowledge_entries.search_vector"
# How many of the newest matching projects a search ranks (PostgreSQL) or sorts (SQLite)
RANKED = 1000


def _fts5_query(q: str) -> str:
    """Each word as a quoted prefix term, so no input is read as FTS5 syntax."""
    words = re.findall(r"\w+", q)
    return " ".join(f'"{w}"*' for w in words)


def _has(dialect: str, column: str, param: str) -> str:
    if dialect == "sqlite":
        return (f"EXISTS (SELECT 1 FROM json_each(knowledge_entries.{column}) "
                f"WHERE json_each.value = :{param})")
    return f"(knowledge_entries.{column})::jsonb ? :{param}"


async def search(db: AsyncSession, q: str = "", pillar: str = "", target_group: str = "",
                 organisation_type: str = "", year: int | None = None, limit: int = 50,
                 offset: int = 0) -> list[KnowledgeEntry]:
    dialect = db.bind.dialect.name
    params: dict = {}
    filters = []
    for column, value, param in (("pillars", pillar, "pillar"),
                                 ("target_groups", target_group, "target_group"),
                                 ("organisation_types", organisation_type, "org_type")):
        if value:
            filters.append(text(_has(dialect, column, param)))
            params[param] = value
    if year:
        filters.append(KnowledgeEntry.year == year)
    if q.strip():
        # a word in every other project must not make a search cost every project: the newest
        # matches are the candidates, as many as the page needs and at least RANKED
        ranked = max(RANKED, offset + limit)
        if dialect != "sqlite":
            return await _ranked(db, q, filters, params, ranked, limit, offset)
        terms = _fts5_query(q)
        if not terms:
            return []
        params.update(q=terms, candidates=ranked)
        filters.append(text("knowledge_entries.id IN (SELECT rowid FROM knowledge_fts WHERE "
                            "knowledge_fts MATCH :q ORDER BY rowid DESC LIMIT :candidates)"))
    return list((await db.exec(select(KnowledgeEntry).where(*filters).order_by(
        KnowledgeEntry.archived_at.desc()).offset(offset).limit(limit), params=params)).all())


async def _ranked(db: AsyncSession, q: str, filters: list, params: dict, ranked: int,
                  limit: int, offset: int) -> list[KnowledgeEntry]:
    """PostgreSQL ranks the candidates and fetches the page's entries by id: joined with the
    candidates instead, the planner reads the whole table once it holds some 30,000 entries."""
    vector = literal_column(_VECTOR)
    words = func.plainto_tsquery("dutch", func.regie_unaccent(q))
    candidates = select(KnowledgeEntry.id, func.ts_rank(vector, words).label("rank")).where(
        vector.op("@@")(words), *filters).order_by(KnowledgeEntry.id.desc()).limit(
        ranked).subquery()
    page = (await db.exec(select(candidates.c.id).order_by(
        candidates.c.rank.desc(), candidates.c.id.desc()).offset(offset).limit(limit),
        params=params)).all()
    entries = {e.id: e for e in (await db.exec(select(KnowledgeEntry).where(
        KnowledgeEntry.id.in_(page)))).all()}
    return [entries[i] for i in page]
