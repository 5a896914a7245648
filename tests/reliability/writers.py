"""Concurrent SQLite writers for the writer-queue and group-commit tests: a scratch file with one table, and
writers in threads whose failures are collected instead of lost with their thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from paht.db import Database


@contextmanager
def sqlite_with_table(path: Path, ddl: str) -> Iterator[Database]:
    database = Database(f"sqlite:///{path}")
    with database.engine.begin() as connection:
        connection.execute(text(ddl))
    try:
        yield database
    finally:
        database.dispose()


def in_threads(count: int, write: Callable[[int], None]) -> list[BaseException]:
    """Run `write(0)` … `write(count - 1)` at once, one thread each; what they raised."""
    failures: list[BaseException] = []

    def guarded(writer: int) -> None:
        try:
            write(writer)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
