"""The knowledge centre's search: full text (FTS5 in SQLite, a Dutch tsvector in PostgreSQL) and
filters on pillar, target group, organisation type and year, all in SQL. A search looks at the
newest RANKED projects that match its words (entered last, highest id), so its cost does not
grow with the knowledge centre; the programme has a few hundred projects, far below it."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import KnowledgeEntry

# PostgreSQL: a stored, generated tsvector column with a GIN index (migration 0010)
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
    query = select(KnowledgeEntry)
    params: dict = {}
    order = [KnowledgeEntry.archived_at.desc()]
    if q.strip():
        # a word in every other project must not make a search cost every project: the newest
        # matches are the candidates, as many as the page needs and at least RANKED
        params["candidates"] = max(RANKED, offset + limit)
        if dialect == "sqlite":
            terms = _fts5_query(q)
            if not terms:
                return []
            query = query.where(text(
                "knowledge_entries.id IN (SELECT rowid FROM knowledge_fts WHERE knowledge_fts "
                "MATCH :q ORDER BY rowid DESC LIMIT :candidates)"))
            params["q"] = terms
        else:
            query = query.where(text(
                f"knowledge_entries.id IN (SELECT id FROM knowledge_entries WHERE {_VECTOR} @@ "
                f"plainto_tsquery('dutch', :q) ORDER BY id DESC LIMIT :candidates)"))
            order = [text(f"ts_rank({_VECTOR}, plainto_tsquery('dutch', :q)) DESC")]
            params["q"] = q
    for column, value, param in (("pillars", pillar, "pillar"),
                                 ("target_groups", target_group, "target_group"),
                                 ("organisation_types", organisation_type, "org_type")):
        if value:
            query = query.where(text(_has(dialect, column, param)))
            params[param] = value
    if year:
        query = query.where(KnowledgeEntry.year == year)
    rows = await db.exec(query.order_by(*order).offset(offset).limit(limit), params=params)
    return list(rows.all())
