"""SQLite writers that wait for the writer connection share one COMMIT (paht.writerqueue).

Each test holds the one writer connection in a first writer's open transaction, lines other writers up
behind it (counted by the pool as waiting), and then lets the first commit: its transaction stays open for
them, and one COMMIT ends it. The statements SQLite runs are traced on the connection itself.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from paht.db import Database
from paht.writerqueue import WriterTurns
from tests.reliability.writers import sqlite_with_table

DDL = "CREATE TABLE row (id INTEGER PRIMARY KEY)"


@pytest.fixture
def database(tmp_path: Path):  # type: ignore[no-untyped-def]
    with sqlite_with_table(tmp_path / "shared.sqlite3", DDL) as database:
        yield database


def _committed(path: Path) -> set[int]:
    """The rows a connection of its own sees: only what SQLite has committed."""
    reader = sqlite3.connect(path)
    try:
        return {row for (row,) in reader.execute("SELECT id FROM row")}
    finally:
        reader.close()


class Writer(threading.Thread):
    """A writer in a thread: `work(session)` in a write transaction; what it raised, and what was committed
    the moment its commit returned."""

    def __init__(self, database: Database, path: Path, work: Callable) -> None:  # type: ignore[type-arg]
        super().__init__(daemon=True)
        self.database, self.path, self.work = database, path, work
        self.error: BaseException | None = None
        self.seen_after: set[int] | None = None

    def run(self) -> None:
        try:
            with self.database.write() as session:
                self.work(session)
            self.seen_after = _committed(self.path)
        except BaseException as error:
            self.error = error


def _insert(row: int) -> Callable:  # type: ignore[type-arg]
    return lambda session: session.execute(text("INSERT INTO row VALUES (:id)"), {"id": row})


def _line_up(database: Database, writers: list[Writer]) -> None:
    """Start `writers` one after the other, each once the one before waits for the writer connection."""
    pool = database.engine.pool
    assert isinstance(pool, WriterTurns)
    for count, writer in enumerate(writers, start=1):
        writer.start()
        deadline = time.monotonic() + 10
        while pool.waiting < count:
            assert time.monotonic() < deadline, "the writer never waited for the connection"
            time.sleep(0.001)


def _traced(session) -> list[str]:  # type: ignore[no-untyped-def]
    statements: list[str] = []
    session.connection().connection.dbapi_connection.set_trace_callback(statements.append)
    return statements


def test_writers_waiting_for_the_connection_share_one_commit(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    go_on = threading.Event()
    first = database.writer()
    first.execute(text("INSERT INTO row VALUES (1)"))
    statements = _traced(first)
    second = Writer(database, path, lambda session: (_insert(2)(session), go_on.wait(10)))
    third = Writer(database, path, _insert(3))
    _line_up(database, [second, third])

    committing = Writer(database, path, lambda _session: None)
    committing.run = lambda: (first.commit(), setattr(committing, "seen_after", _committed(path)))  # type: ignore[method-assign]
    committing.start()
    time.sleep(0.2)  # the second writer now works in the first's transaction and waits for `go_on`
    assert committing.is_alive(), "the first commit returned before its COMMIT"
    assert _committed(path) == set()
    go_on.set()
    for writer in (committing, second, third):
        writer.join(10)
    first.close()

    assert (second.error, third.error) == (None, None)
    # Every writer's commit returned once all three rows were committed: by one COMMIT.
    assert committing.seen_after == second.seen_after == third.seen_after == {1, 2, 3}
    assert [s for s in statements if s in ("COMMIT", "ROLLBACK")] == ["COMMIT"]
    assert statements.count("SAVEPOINT paht_writer") == 2


def test_a_writer_that_rolls_back_undoes_only_its_own_work(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"

    def fails(session) -> None:  # type: ignore[no-untyped-def]
        _insert(2)(session)
        raise RuntimeError("the route failed")

    first = database.writer()
    first.execute(text("INSERT INTO row VALUES (1)"))
    second, third = Writer(database, path, fails), Writer(database, path, _insert(3))
    _line_up(database, [second, third])
    first.commit()
    first.close()
    second.join(10)
    third.join(10)

    assert isinstance(second.error, RuntimeError) and third.error is None
    assert _committed(path) == {1, 3}


def test_a_failed_shared_commit_fails_every_writer_in_it(tmp_path: Path) -> None:
    """A deferred foreign key is checked by the COMMIT: one writer's orphan fails the COMMIT they share,
    so every writer in it is told, nothing of theirs is kept, and the next writer gets in."""
    path = tmp_path / "deferred.sqlite3"
    ddl = "CREATE TABLE row (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES row (id) DEFERRABLE INITIALLY DEFERRED)"
    with sqlite_with_table(path, ddl) as database:
        first = database.writer()
        first.execute(text("INSERT INTO row VALUES (1, NULL)"))
        orphan = Writer(database, path, lambda s: s.execute(text("INSERT INTO row VALUES (2, 99)")))
        _line_up(database, [orphan])
        with pytest.raises(OperationalError, match="FOREIGN KEY"):
            first.commit()
        first.close()
        orphan.join(10)

        assert isinstance(orphan.error, Exception) and "FOREIGN KEY" in str(orphan.error)
        assert _committed(path) == set()
        with database.write() as session:
            session.execute(text("INSERT INTO row VALUES (3, NULL)"))
        assert _committed(path) == {3}


def test_a_connection_that_comes_back_unused_commits_the_writers_before(database: Database, tmp_path: Path) -> None:
    """The writer waited for is not a writer after all (a connection checked out and returned unused)."""
    path = tmp_path / "shared.sqlite3"
    first = database.writer()
    first.execute(text("INSERT INTO row VALUES (1)"))
    unused = threading.Thread(target=lambda: database.engine.connect().close(), daemon=True)
    _line_up(database, [unused])  # type: ignore[list-item]
    first.commit()
    first.close()
    unused.join(10)
    assert _committed(path) == {1}
    with database.write() as session:
        session.execute(text("INSERT INTO row VALUES (2)"))
    assert _committed(path) == {1, 2}


def test_a_lost_connection_fails_the_writers_whose_work_was_on_it(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"

    def lose_it() -> None:
        connection = database.engine.connect()
        connection.invalidate()
        connection.close()

    first = database.writer()
    first.execute(text("INSERT INTO row VALUES (1)"))
    losing = threading.Thread(target=lose_it, daemon=True)
    _line_up(database, [losing])  # type: ignore[list-item]
    with pytest.raises(OperationalError, match="closed"):
        first.commit()
    first.close()
    losing.join(10)
    assert _committed(path) == set()
    with database.write() as session:
        session.execute(text("INSERT INTO row VALUES (2)"))
    assert _committed(path) == {2}
