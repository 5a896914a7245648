"""Engines and sessions.

SQLite is a real target: WAL, foreign keys on, and writers open their transaction with BEGIN IMMEDIATE
so that two writers queue on the lock instead of failing half-way through. A commit returns once it is on
disk: writers of a database file commit with synchronous=NORMAL and then wait for a shared flush of the
WAL (group commit, `paht.walsync`), and writers waiting for one another share a transaction and its COMMIT
(`paht.writerqueue`); other connections keep synchronous=FULL. Readers use a second engine with plain
deferred transactions, so that reads never take the write lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import paht.audit.chain  # noqa: F401  (registers the event hash chain on every Session, issue 8 item 7)
from paht.config import get_settings
from paht.walsync import WalFlusher
from paht.writerqueue import WriterSession, WriterTurns, queue_writers

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Read the file through one memory map shared by every connection, not a copy per connection's page cache
# (issue 7). SQLite caps it at its build's SQLITE_MAX_MMAP_SIZE (2 GB on Debian); writes still use write().
SQLITE_MMAP_BYTES = 1 << 40
# Each connection's page cache, in KiB (SQLite's default is 2,000). Past the map's 2 GB every page is a pread()
# into it: at 1,000,000 reports (12 GB) a search read ~3,300 pages a request that way, the hot b-tree pages again
# and again, as the default cache of each pooled connection held few of them (3.5-4 ms of system CPU in a
# 16 ms search; with 64 MB 0.2-0.4 ms, and W2/W3/W5 gained 2-15 %). The cache fills only as pages are read, and a
# commit elsewhere empties it (WAL), so a small database never holds more than itself.
SQLITE_CACHE_KIB = 64 * 1024


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> str | None:
    """The database file a SQLite URL names; None for an in-memory database."""
    database = make_url(url).database
    return database if database and database != ":memory:" else None


def _prepare_sqlite_file(url: str) -> None:
    if (database := _sqlite_file(url)) is not None:
        Path(database).parent.mkdir(parents=True, exist_ok=True)


# Connections a pool keeps open. A pool smaller than the threads that use it at once opens a connection
# for each request beyond it and closes it after (SQLAlchemy's overflow): on PostgreSQL a new server process
# per request. The app sizes its pool from its route threads (paht.main); CLI commands and jobs use this.
DEFAULT_POOL_SIZE = 20
POOL_OVERFLOW = 10  # bursts beyond the pool (the in-process worker, a second event loop) still connect


# A file's writers take turns on one connection. SQLite lets one writer in at a time anyway, and in WAL mode a
# commit empties the page cache of every other connection to the file: with a connection per writer thread,
# each transaction began on a cold cache and read its b-tree pages again (by pread past the 2 GB memory map,
# issue 7). The one connection keeps its cache between writers; a writer waits for it as it waited for
# the write lock, and hands it on before waiting for its commit's flush (paht.writerqueue).
def _one_writer_connection() -> dict[str, object]:
    return {"poolclass": WriterTurns, "pool_size": 1, "max_overflow": 0, "pool_timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}


def build_engine(url: str, *, immediate: bool = True, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    # hide_parameters: database errors (and their logged tracebacks) never carry the values, which can be
    # personal data (issue 8 item 8, tests/pii_log_guard.py).
    if not is_sqlite(url):
        return _postgres_engine(url, pool_size=pool_size, max_overflow=POOL_OVERFLOW, pool_pre_ping=True)
    if _sqlite_file(url) is None:  # in memory: one shared connection, no pool to size
        engine = _sqlite_engine(url)
    elif immediate:
        engine = _sqlite_engine(url, **_one_writer_connection())
    else:
        engine = _sqlite_engine(url, pool_size=pool_size, max_overflow=POOL_OVERFLOW)
    if immediate:
        flusher = _flusher(url)
        queue_writers(engine, _writer_lock(url), flusher, SQLITE_BUSY_TIMEOUT_MS / 1000)
        if flusher is not None:
            _GROUP_COMMIT_ENGINES.add(engine)

            @event.listens_for(engine, "connect")
            def _commit_without_flush(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # the flush is the WalFlusher's

    else:

        @event.listens_for(engine, "begin")
        def _on_begin(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN")

    return engine


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()
_HOLDS_LOCK = "paht_holds_writer_lock"
_FLUSHERS: dict[str, WalFlusher] = {}
_GROUP_COMMIT_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _file_of(url: str) -> str:
    return str(Path(make_url(url).database or ":memory:").resolve())


def _writer_lock(url: str) -> threading.Lock:
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(_file_of(url), threading.Lock())


def _flusher(url: str) -> WalFlusher | None:
    """The WAL flusher every writer of this database file in this process shares; none in memory."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    file = _file_of(url)
    with _WRITER_LOCKS_GUARD:
        if file not in _FLUSHERS:
            _FLUSHERS[file] = WalFlusher(Path(file))
        return _FLUSHERS[file]


def commits_grouped(engine: Engine) -> bool:
    """Whether `engine`'s commits wait for a shared WAL flush (then its connections run synchronous=NORMAL)."""
    return engine in _GROUP_COMMIT_ENGINES


def build_loop_reader(url: str) -> Engine:
    """The connections for single-statement reads made on an event loop itself, one per loop, each kept
    by `Database.on_loop` (the overflow serves a second loop, a test's second client, without waiting).

    They read in autocommit — a single SELECT is its own consistent snapshot on both databases — so a read
    costs no BEGIN and no ROLLBACK, and they skip PostgreSQL's `SELECT 1` before each use: a connection that
    fails is invalidated and the next use reconnects.
    """
    options = {"pool_size": 1, "max_overflow": 8, "isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    if not is_sqlite(url):
        return _postgres_engine(url, **options)
    return _sqlite_engine(url, **options)


def _postgres_engine(url: str, **options: object) -> Engine:
    return create_engine(url, hide_parameters=True, **options)  # type: ignore[arg-type]


def _sqlite_engine(url: str, **options: object) -> Engine:
    _prepare_sqlite_file(url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,
        **options,  # type: ignore[arg-type]
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    return engine


class Database:
    """A writer and a reader session factory over one database URL."""

    def __init__(self, url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        self.engine = build_engine(url, immediate=True, pool_size=pool_size)
        self.read_engine = build_engine(url, immediate=False, pool_size=pool_size) if self.sqlite else self.engine
        self.writer = sessionmaker(self.engine, class_=WriterSession, expire_on_commit=False)
        self.reader = sessionmaker(self.read_engine, expire_on_commit=False)
        self._loop_reader: Engine | None = None
        self._loop_connections: dict[int, Connection] = {}  # by thread: each event loop keeps its own

    @property
    def loop_reader(self) -> Engine:
        """`build_loop_reader` over this database, built on first use (for reads made on the event loop)."""
        if self._loop_reader is None:
            self._loop_reader = build_loop_reader(self.url)
        return self._loop_reader

    @property
    def read_errors(self) -> tuple[type[Exception], ...]:
        """What a failed read raises: SQLAlchemy's errors and, for statements run on the driver's cursor
        (paht.prepared), the driver's own. A lean answer that catches these leaves the request to its route."""
        return (SQLAlchemyError, self.loop_reader.dialect.loaded_dbapi.Error)

    @contextmanager
    def on_loop(self) -> Iterator[Connection]:
        """This thread's kept connection to `loop_reader`, for single-statement reads made on the event loop.

        The reads run in autocommit and never span an await, so one connection per event loop serves them
        all, kept open: checking it out of the pool and back in cost ~30 % of the public report's read (W2).
        Any error inside closes it (invalidated: a broken connection is not reused) and the next read opens
        another.
        """
        thread = threading.get_ident()
        connection = self._loop_connections.get(thread)
        if connection is None:
            self._release_ended_loops()
            connection = self._loop_connections[thread] = self.loop_reader.connect()
        try:
            yield connection
        except BaseException:
            self._loop_connections.pop(thread, None)
            connection.invalidate()
            connection.close()
            raise

    def _release_ended_loops(self) -> None:
        """Return the kept connections of threads that have ended (a test client's loop) to the pool."""
        alive = {thread.ident for thread in threading.enumerate()}
        for thread in [ident for ident in self._loop_connections if ident not in alive]:
            self._loop_connections.pop(thread).close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work for entry points (CLI, jobs): commits on success, rolls back on error."""
        with self.writer() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def single_read(self) -> Iterator[Connection]:
        """A pooled reader connection for one statement run on the driver's cursor (`paht.prepared`): no
        session and no BEGIN, so the statement runs on its own and sees the latest commit; two statements
        through it would not share a snapshot. The session's begin, BEGIN and rollback were ~7 % of a staff
        list page's CPU (issue 7 W3). Returned to the pool, the connection is reset as any other."""
        with self.read_engine.connect() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.reader() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        for connection in list(self._loop_connections.values()):
            connection.close()
        self._loop_connections.clear()
        if self._loop_reader is not None:
            self._loop_reader.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


@lru_cache
def get_database() -> Database:
    return Database(get_settings().database_url)
