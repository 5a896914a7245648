"""SQLite writers of one process queue on a mutex before BEGIN IMMEDIATE (paht.writerqueue).

The mutex must be handed on however a write transaction ends — commit, rollback, a failed statement, a
session nobody closed — or every later writer would wait for it until the busy timeout.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from paht import db as paht_db
from paht.db import Database
from tests.reliability.writers import in_threads, sqlite_with_table

WRITERS = 8
ROWS_EACH = 25


@pytest.fixture
def database(tmp_path: Path):  # type: ignore[no-untyped-def]
    with sqlite_with_table(tmp_path / "queue.sqlite3", "CREATE TABLE counter (writer INTEGER, n INTEGER)") as database:
        yield database


def _count(database: Database) -> int:
    with database.read_engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM counter")).scalar_one()


def test_concurrent_writers_all_commit(database: Database) -> None:
    def write(writer: int) -> None:
        for n in range(ROWS_EACH):
            with database.write() as session:
                session.execute(text("INSERT INTO counter VALUES (:w, :n)"), {"w": writer, "n": n})

    assert in_threads(WRITERS, write) == []
    assert _count(database) == WRITERS * ROWS_EACH


def test_a_rolled_back_or_failed_transaction_hands_the_lock_on(database: Database) -> None:
    with pytest.raises(RuntimeError), database.write() as session:
        session.execute(text("INSERT INTO counter VALUES (1, 1)"))
        raise RuntimeError("the route failed")
    with pytest.raises(OperationalError), database.write() as session:
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))
    with database.write() as session:  # would wait for the busy timeout if the mutex were still held
        session.execute(text("INSERT INTO counter VALUES (2, 2)"))
    assert _count(database) == 1


def test_a_session_left_to_the_garbage_collector_hands_the_lock_on(database: Database) -> None:
    def leak() -> None:
        session = database.writer()
        session.execute(text("INSERT INTO counter VALUES (3, 3)"))  # BEGIN IMMEDIATE, never ended

    leak()
    gc.collect()
    with database.write() as session:
        session.execute(text("INSERT INTO counter VALUES (4, 4)"))
    assert _count(database) == 1  # the leaked insert was rolled back by the pool


def test_a_writer_that_cannot_get_in_fails_like_a_busy_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paht_db, "SQLITE_BUSY_TIMEOUT_MS", 200)  # read as the engine is built
    with sqlite_with_table(tmp_path / "busy.sqlite3", "CREATE TABLE counter (writer INTEGER, n INTEGER)") as database:
        holder = database.writer()
        holder.execute(text("INSERT INTO counter VALUES (5, 5)"))
        try:
            result: list[BaseException] = []
            thread = threading.Thread(target=lambda: _try_write(database, result))
            thread.start()
            thread.join()
            assert len(result) == 1 and isinstance(result[0], OperationalError)
            assert "database is locked" in str(result[0])
        finally:
            holder.close()
        with database.write() as session:
            session.execute(text("INSERT INTO counter VALUES (6, 6)"))


def _try_write(database: Database, result: list[BaseException]) -> None:
    try:
        with database.write() as session:
            session.execute(text("INSERT INTO counter VALUES (7, 7)"))
    except OperationalError as exc:
        result.append(exc)


def test_writers_take_turns_on_one_connection(database: Database) -> None:
    """In WAL mode a commit empties every other connection's page cache: one writer connection keeps its own."""
    opened: list[object] = []
    event.listen(database.engine, "connect", lambda dbapi_connection, _record: opened.append(dbapi_connection))

    def write(writer: int) -> None:
        for n in range(ROWS_EACH):
            with database.write() as session:
                session.execute(text("INSERT INTO counter VALUES (:w, :n)"), {"w": writer, "n": n})

    database.engine.dispose()
    assert in_threads(WRITERS, write) == []
    assert _count(database) == WRITERS * ROWS_EACH
    assert len(opened) == 1
