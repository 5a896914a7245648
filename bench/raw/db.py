"""The raw app's database access: stdlib sqlite3 or psycopg, no ORM, and the two write modes.

Durability is PAHT's: SQLite in WAL with synchronous=FULL, PostgreSQL with synchronous_commit=on
(the server default; checked at start). `commit-per-request` runs each write on the event loop and
commits it (the floor for one-commit-per-request designs); `group-commit` hands writes to one writer
thread that runs everything queued in one transaction (a savepoint each) and answers them all after
the single commit, so every 201 is still durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

WriteResult = tuple[int, Any]


class Conflict(Exception):
    """The write lost a race (unique key, version check): answered 409."""


class Dialect:
    """What differs between the two databases, in the shapes PAHT's column types use."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite

    def sql(self, text: str) -> str:
        return text if self.sqlite else text.replace("?", "%s")

    def uid(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def uid_out(self, value: Any) -> str | None:
        if value is None:
            return None
        return str(uuid.UUID(value)) if self.sqlite else str(value)

    def ts(self, value: datetime) -> Any:
        """A UTC instant as a parameter (SQLite: SQLAlchemy's naive text with six microsecond digits)."""
        if self.sqlite:
            text = str(value.replace(tzinfo=None))
            return text if len(text) > 19 else text + ".000000"
        return value

    def ts_out(self, value: Any) -> str | None:
        """An instant as pydantic writes it: ISO 8601 with Z, microseconds only when not zero."""
        if value is None:
            return None
        if self.sqlite:
            text = value.replace(" ", "T")
            return (text[:-7] if text.endswith(".000000") else text) + "Z"
        return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"

    def ts_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if self.sqlite:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value

    def json_out(self, value: Any) -> Any:
        if value is None or not self.sqlite:
            return value
        import orjson

        return orjson.loads(value)


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    """One reader connection and one writer connection (or the writer thread's own)."""

    def __init__(self, url: str, mode: str) -> None:
        if mode not in ("commit-per-request", "group-commit"):
            raise ValueError(f"write mode {mode!r}: commit-per-request or group-commit")
        parsed = make_url(url)
        self.dialect = Dialect(parsed.get_backend_name() == "sqlite")
        self.mode = mode
        self.url = url
        self.reader = self._connect(read=True)
        self.writer = self._connect(read=False) if mode == "commit-per-request" else None
        self.committer = GroupCommitter(self) if mode == "group-commit" else None

    def _connect(self, *, read: bool) -> Any:
        if self.dialect.sqlite:
            database = make_url(self.url).database
            connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA busy_timeout=30000")
            return connection
        conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = psycopg.connect(conninfo, autocommit=read)
        connection.execute("SET TimeZone = 'UTC'")
        setting = connection.execute("SHOW synchronous_commit").fetchone()
        if setting is None or setting[0] != "on":
            raise RuntimeError(f"synchronous_commit is {setting}; PAHT runs with it on")
        if not read:
            connection.commit()
        return connection

    def read(self, sql: str, params: tuple = (), *, for_values: bool = False) -> list[tuple]:
        """`for_values`: planned for these values on PostgreSQL, never a prepared statement's generic plan
        (as `paht.queryhints.plan_for_values`)."""
        if for_values and not self.dialect.sqlite:
            return self.reader.execute(self.dialect.sql(sql), params, prepare=False).fetchall()
        return self.reader.execute(self.dialect.sql(sql), params).fetchall()

    def read_one(self, sql: str, params: tuple = ()) -> tuple | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    def indexed_reports(self) -> int:
        """The search index's size from its primary key, as `paht.search.engine.indexed_reports`."""
        found = self.read_one("SELECT max(id) FROM report_search")
        return (found[0] if found else None) or 0

    async def write(self, work: Callable[[Any], WriteResult]) -> WriteResult:
        """Run `work(connection)` in a transaction and return its result once committed."""
        if self.committer is not None:
            return await self.committer.submit(work)
        return run_in_transaction(self.dialect, self.writer, work)


def begin(dialect: Dialect, connection: Any) -> None:
    if dialect.sqlite:
        connection.execute("BEGIN IMMEDIATE")


def run_in_transaction(dialect: Dialect, connection: Any, work: Callable[[Any], WriteResult]) -> WriteResult:
    begin(dialect, connection)
    try:
        result = work(connection)
    except Conflict:
        connection.rollback() if not dialect.sqlite else connection.execute("ROLLBACK")
        return 409, {"detail": "conflict", "code": "conflict"}
    except BaseException:
        connection.rollback() if not dialect.sqlite else connection.execute("ROLLBACK")
        raise
    if result[0] >= 400:  # refused: nothing to keep
        connection.rollback() if not dialect.sqlite else connection.execute("ROLLBACK")
    else:
        connection.commit() if not dialect.sqlite else connection.execute("COMMIT")
    return result


class GroupCommitter:
    """One writer thread: takes everything queued, one transaction, one commit, then answers them all."""

    def __init__(self, store: Store) -> None:
        self.dialect = store.dialect
        self.connection = store._connect(read=False)
        self.queue: queue.SimpleQueue[tuple[Callable[[Any], WriteResult], asyncio.Future, asyncio.AbstractEventLoop]]
        self.queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self.thread.start()

    async def submit(self, work: Callable[[Any], WriteResult]) -> WriteResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[WriteResult] = loop.create_future()
        self.queue.put((work, future, loop))
        return await future

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            results = self._commit(batch)
            for (_, future, loop), result in zip(batch, results, strict=True):
                loop.call_soon_threadsafe(_settle, future, result)

    def _commit(self, batch: list) -> list[WriteResult | BaseException]:
        sql, connection = self.dialect.sql, self.connection
        results: list[WriteResult | BaseException] = []
        try:
            begin(self.dialect, connection)
            for work, _, _ in batch:
                connection.execute(sql("SAVEPOINT item"))
                try:
                    result = work(connection)
                except Conflict:
                    result = (409, {"detail": "conflict", "code": "conflict"})
                except Exception as exc:
                    connection.execute(sql("ROLLBACK TO SAVEPOINT item"))
                    results.append(exc)
                    continue
                if result[0] >= 400:
                    connection.execute(sql("ROLLBACK TO SAVEPOINT item"))
                else:
                    connection.execute(sql("RELEASE SAVEPOINT item"))
                results.append(result)
            connection.commit() if not self.dialect.sqlite else connection.execute("COMMIT")
        except Exception as exc:  # the commit itself failed: nobody's write is durable
            with contextlib.suppress(Exception):  # the original error is what the callers get
                connection.rollback() if not self.dialect.sqlite else connection.execute("ROLLBACK")
            return [exc] * len(batch)
        return results


def _settle(future: asyncio.Future, result: WriteResult | BaseException) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
