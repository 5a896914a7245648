"""The SQL statements a block of a test sends to the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted_statements(db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engines = {db.engine, db.read_engine}
    for bind in engines:
        event.listen(bind, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        for bind in engines:
            event.remove(bind, "before_cursor_execute", seen)
