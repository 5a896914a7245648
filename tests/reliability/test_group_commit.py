"""SQLite group commit (paht.walsync): a commit returns only after a flush of the WAL that began after it.

A power loss cannot be staged here, so the tests watch the flushes themselves: `os.fdatasync` is wrapped
to note, when each flush begins, which rows a fresh connection sees committed, and to take 5 ms (a slow
disk, so that commits pile up behind a flush). Every writer checks, the moment its commit returns, that a
flush which began after its COMMIT has finished: the guarantee a 201 rests on.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from paht import walsync
from tests.reliability.writers import in_threads, sqlite_with_table

WRITERS = 8
ROWS_EACH = 15


@pytest.fixture
def database(tmp_path: Path):  # type: ignore[no-untyped-def]
    with sqlite_with_table(tmp_path / "group.sqlite3", "CREATE TABLE row (id INTEGER PRIMARY KEY)") as database:
        yield database


class Flushes:
    """The flushes made, each with the rows committed when it began; every flush takes `seconds` longer."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path, self.seconds = path, seconds
        self.done: list[set[int]] = []
        self.guard = threading.Lock()
        self.real = os.fdatasync

    def __call__(self, fd: int) -> None:
        reader = sqlite3.connect(self.path)
        seen = {row[0] for row in reader.execute("SELECT id FROM row")}
        reader.close()
        self.real(fd)
        time.sleep(self.seconds)
        with self.guard:
            self.done.append(seen)

    def covered(self, row: int) -> bool:
        with self.guard:
            return any(row in seen for seen in self.done)


def test_every_commit_returns_after_a_flush_that_covers_it(database, tmp_path, monkeypatch) -> None:
    flushes = Flushes(tmp_path / "group.sqlite3", seconds=0.005)
    monkeypatch.setattr(walsync.os, "fdatasync", flushes)
    uncovered: list[int] = []

    def write(writer: int) -> None:
        for n in range(ROWS_EACH):
            row = writer * 1000 + n
            with database.write() as session:
                session.execute(text("INSERT INTO row VALUES (:id)"), {"id": row})
            if not flushes.covered(row):
                uncovered.append(row)

    assert in_threads(WRITERS, write) == []
    assert uncovered == []
    commits = WRITERS * ROWS_EACH
    # Shared: while one flush runs, the commits behind it wait for the next, which covers them all.
    assert len(flushes.done) < commits * 0.6, (len(flushes.done), commits)


def test_writers_run_normal_and_the_others_full(database) -> None:
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    with database.read_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_a_wal_made_anew_is_the_one_flushed(database, tmp_path, monkeypatch) -> None:
    """The last connection to close removes the WAL (after checkpointing it); the next writer makes a new
    file, which the flusher opens instead of flushing the removed one."""
    flushed: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(walsync.os, "fdatasync", lambda fd: (flushed.append(os.fstat(fd).st_ino), real(fd)))
    wal = tmp_path / "group.sqlite3-wal"
    with database.write() as session:
        session.execute(text("INSERT INTO row VALUES (1)"))
    assert flushed[-1] == wal.stat().st_ino
    database.dispose()
    assert not wal.exists()
    with database.write() as session:
        session.execute(text("INSERT INTO row VALUES (2)"))
    assert flushed[-1] == wal.stat().st_ino


def test_a_failed_flush_fails_the_commit_and_the_next_commit_flushes_again(database, monkeypatch) -> None:
    """The commit is in the WAL but not known to be on disk: the caller gets an error (a client retries with
    its Idempotency-Key and gets the stored answer), and the next commit's flush covers it."""
    calls: list[int] = []
    real = os.fdatasync

    def failing_once(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        real(fd)

    monkeypatch.setattr(walsync.os, "fdatasync", failing_once)
    with pytest.raises(OSError, match="Input/output"), database.write() as session:
        session.execute(text("INSERT INTO row VALUES (1)"))
    with database.write() as session:
        session.execute(text("INSERT INTO row VALUES (2)"))
    assert len(calls) == 2
    with database.read_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM row")).scalar() == 2


def test_the_next_writer_commits_while_a_commit_waits_for_its_flush(database, tmp_path, monkeypatch) -> None:
    """A writer hands the one writer connection on before it waits for its flush (paht.writerqueue.WriterSession):
    the first flush here goes on only once a second writer, started after it began, has committed."""
    flush_began = threading.Event()
    real = os.fdatasync
    seen_during_first_flush: list[set[int]] = []

    def first_flush_waits_for_row_2(fd: int) -> None:
        if not seen_during_first_flush:
            flush_began.set()
            seen_during_first_flush.append(_rows_once_seen(tmp_path / "group.sqlite3", 2, seconds=10))
        real(fd)

    monkeypatch.setattr(walsync.os, "fdatasync", first_flush_waits_for_row_2)

    def write(row: int) -> None:
        with database.write() as session:
            session.execute(text("INSERT INTO row VALUES (:id)"), {"id": row})

    first = threading.Thread(target=write, args=(1,))
    first.start()
    assert flush_began.wait(timeout=10)
    write(2)  # on the one writer connection, while the first commit waits for its flush
    first.join()
    assert seen_during_first_flush == [{1, 2}]


def _rows_once_seen(path: Path, row: int, *, seconds: float) -> set[int]:
    """The committed rows, once `row` is among them or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        reader = sqlite3.connect(path)
        rows = {found for (found,) in reader.execute("SELECT id FROM row")}
        reader.close()
        if row in rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.005)
