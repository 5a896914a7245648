"""The migrations produce exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from paht.migrate import alembic_config
from paht.models import Base


def test_there_is_one_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads


def test_the_migrated_schema_matches_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = [
                d for d in compare_metadata(context, Base.metadata)
                # The search index is engine-specific (FTS5 tables on SQLite, GIN indexes on PostgreSQL) and is
                # created by its migration, not declared as models.
                if not (d[0].startswith("remove_") and _engine_managed(d))
            ]  # fmt: skip
    finally:
        engine.dispose()
    assert differences == []


def _engine_managed(difference: tuple) -> bool:
    """FTS5 tables, tsvector columns and their GIN indexes: the search index's own, per engine."""
    text = repr(difference)
    return "report_search" in text and ("_tsv" in text or "_fts" in text)
