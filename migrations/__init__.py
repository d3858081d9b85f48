"""Alembic migrations of Regie's SQL records, from the first table on."""
