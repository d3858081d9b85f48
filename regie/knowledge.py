"""The knowledge centre's search: full text (FTS5 in SQLite, a Dutch tsvector in PostgreSQL) and
filters on pillar, target group, organisation type and year, all in SQL."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import KnowledgeEntry

# PostgreSQL: a stored, generated tsvector column with a GIN index (migration 0010)
_VECTOR = "knowledge_entries.search_vector"


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
        if dialect == "sqlite":
            terms = _fts5_query(q)
            if not terms:
                return []
            query = query.where(text("knowledge_entries.id IN (SELECT rowid FROM knowledge_fts "
                                     "WHERE knowledge_fts MATCH :q)"))
            params["q"] = terms
        else:
            query = query.where(text(f"{_VECTOR} @@ plainto_tsquery('dutch', :q)"))
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
