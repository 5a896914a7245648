"""How PAHT's connections are set up for speed (paht.db), on the database each test runs on.

SQLite: every connection reads the file through one shared memory map. Each connection has its own small
page cache; with the request threads spread over a pool of reader connections, most reads would otherwise
copy pages from the OS cache into that connection's cache (issue 7: W5 spent ~12 % more CPU per request
in SQLite with 20 connections than with one).

PostgreSQL: the map query is planned for its box (paht.queryhints.plan_for_values). psycopg prepares a
statement on the server after its 5th run on a connection and PostgreSQL then may switch to one generic
plan; at 1,000,000 reports the generic plan of the map query sorted a whole band of longitudes, 14 s per
dense box. Other statements keep the generic plans, which spare them planning.

Reads made on the event loop (the public report, the caller's token) use a connection each event loop keeps
(`Database.on_loop`): no pool checkout per read, and a broken connection is replaced at the next read.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from paht.db import SQLITE_CACHE_KIB, SQLITE_MMAP_BYTES, Database
from paht.places import queries as places


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


def test_sqlite_connections_keep_a_large_page_cache(db: Database) -> None:
    """Past the map's 2 GB pages are read into each connection's cache: SQLite's 2 MB default held too few of
    a large city's b-tree pages (issue 7, db.SQLITE_CACHE_KIB)."""
    if not db.sqlite:
        pytest.skip("SQLite's page cache")
    for engine in _engines(db):
        assert _setting(engine, "PRAGMA cache_size") == -SQLITE_CACHE_KIB  # negative: KiB, not pages


def test_postgres_plans_the_map_query_for_its_box_and_nothing_after(db: Database) -> None:
    if db.sqlite:
        pytest.skip("PostgreSQL's plan cache")
    with db.reader() as session:
        assert session.execute(text("SHOW plan_cache_mode")).scalar_one() == "auto"
        places.published_features(session, (107.5, 16.4, 107.7, 16.6), decimals=3, lang="vi")
        assert session.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
    with db.reader() as session:  # SET LOCAL: the next transaction on the connection plans as usual
        assert session.execute(text("SHOW plan_cache_mode")).scalar_one() == "auto"


def _read_one(db: Database) -> int:
    with db.on_loop() as connection:
        return connection.execute(text("SELECT 1")).scalar_one()


def test_each_event_loop_keeps_one_connection(db: Database) -> None:
    with db.on_loop() as first, db.on_loop() as again:
        assert first is again
    elsewhere: list[object] = []
    thread = threading.Thread(
        target=lambda: elsewhere.extend([_read_one(db), db._loop_connections[threading.get_ident()]])
    )
    thread.start()
    thread.join(timeout=10)  # the other loop's connection comes from the overflow: no wait on this one's
    assert elsewhere[0] == 1 and elsewhere[1] is not first
    db.dispose()
    assert first.closed and elsewhere[1].closed


def test_a_new_loop_returns_the_connections_of_ended_loops(db: Database) -> None:
    ended: list[object] = []
    thread = threading.Thread(target=lambda: (_read_one(db), ended.append(db._loop_connections[threading.get_ident()])))
    thread.start()
    thread.join(timeout=10)
    assert not ended[0].closed
    assert _read_one(db) == 1  # this thread's first read opens its connection and releases the ended one's
    assert ended[0].closed


def test_a_broken_kept_connection_is_replaced_at_the_next_read(db: Database) -> None:
    with db.on_loop() as kept:
        kept.connection.driver_connection.close()  # as a server restart or a dropped socket would leave it
    with pytest.raises(SQLAlchemyError), db.on_loop() as broken:
        broken.execute(text("SELECT 1"))
    assert broken.closed
    assert _read_one(db) == 1
    with db.on_loop() as fresh:
        assert fresh is not kept


def test_a_broken_kept_connection_costs_no_signed_in_request(client, personas, db: Database) -> None:
    """The caller's token is read on the driver's cursor (paht.prepared), whose errors are the driver's own:
    they too send the read to the thread pool, and the next read on the loop opens another connection."""
    headers = personas["ioc_operator"]
    assert client.get("/api/v1/reports", headers=headers).status_code == 200
    kept = list(db._loop_connections.values())
    assert kept
    for connection in kept:
        connection.connection.driver_connection.close()
    answer = client.get("/api/v1/reports", headers=headers)
    assert answer.status_code == 200, answer.text
    assert all(connection.closed for connection in kept)
    assert client.get("/api/v1/reports", headers=headers).status_code == 200
