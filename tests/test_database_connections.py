"""How PAHT's connections are set up for speed (paht.db), on the database each test runs on.

SQLite: every connection reads the file through one shared memory map. Each connection has its own small
page cache; with the request threads spread over a pool of reader connections, most reads would otherwise
copy pages from the OS cache into that connection's cache (issue 7: W5 spent ~12 % more CPU per request
in SQLite with 20 connections than with one).

PostgreSQL: every execution is planned for its values. psycopg prepares a statement on the server after
its 5th run on a connection and PostgreSQL then switches to one generic plan; at 1,000,000 reports the
generic plan of the map query sorted a whole band of longitudes, 14 s per dense box.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from paht.db import SQLITE_MMAP_BYTES, Database


def _engines(db: Database) -> tuple[Engine, ...]:
    return (db.engine, db.read_engine, db.loop_reader)


def _setting(engine: Engine, statement: str) -> object:
    with engine.connect() as connection:
        connection.rollback()  # a pooled connection keeps it after a transaction ends
        return connection.execute(text(statement)).scalar_one()


def test_sqlite_connections_map_the_file(db: Database) -> None:
    if not db.sqlite:
        pytest.skip("SQLite's memory map")
    for engine in _engines(db):
        mapped = _setting(engine, "PRAGMA mmap_size")
        # SQLite caps the map at its build's SQLITE_MAX_MMAP_SIZE (2 GB on Debian).
        assert isinstance(mapped, int)
        assert min(SQLITE_MMAP_BYTES, 2**31 - 2**16) <= mapped <= SQLITE_MMAP_BYTES


def test_postgres_connections_plan_each_execution_for_its_values(db: Database) -> None:
    if db.sqlite:
        pytest.skip("PostgreSQL's plan cache")
    for engine in _engines(db):
        assert _setting(engine, "SHOW plan_cache_mode") == "force_custom_plan"
        with engine.connect() as connection:  # the connection the pool hands out next, after a rollback
            assert connection.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
