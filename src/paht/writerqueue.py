"""SQLite writers of one database file: their turns, and their transactions committed together (issue 7).

Writers of a file in this process queue on a mutex, then take SQLite's write lock (BEGIN IMMEDIATE).
SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps 1, 2, 5, 10 … up to
100 ms between tries, so a freed lock sat unused while every waiter slept: concurrent workflow steps ran at
16 a second with the CPU mostly idle. The mutex hands the lock on the moment the writer before is done.
The transaction is ended on the SQLite connection itself before the mutex is released (SQLAlchemy's own
COMMIT or ROLLBACK that follows finds nothing to do). Other processes (a separate worker, the CLI) still
meet the busy handler.

A file's writers in this process take turns on one connection (`WriterTurns`, `paht.db`). Where their commits
wait for a shared flush of the WAL (group commit, `paht.walsync`), a writer that commits while others wait
for the connection also leaves the SQLite transaction open for them: each next writer works inside it under
a savepoint of its own, and the last of them — the one nobody waits behind, or the `MAX_SHARED`th — commits
them all with one COMMIT. Each writer's `commit()` returns once that COMMIT is on disk, as before, so a 201
still means durable; what is shared is the COMMIT itself, which wrote to the WAL every b-tree page the
transaction had changed: consecutive submissions change mostly the same pages (the newest leaf of each
index, today's statistics rows), so one COMMIT for many writes far fewer pages than one each (W1 at
1,000,000 reports: a fifth of a submission's CPU was its COMMIT). A writer that rolls back undoes only its
own savepoint. If the shared COMMIT fails, every writer in it gets the error from its `commit()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from paht.walsync import WalFlusher

log = logging.getLogger(__name__)

# Writers sharing one COMMIT at most: the first of them waits for the work of the others.
MAX_SHARED = 16
_TURN = "paht_writer_turn"  # in connection.info while a writer's transaction is open: whether it has a savepoint
_SAVEPOINT = "paht_writer"


def writer_queue_timeout() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked (writer queue timeout)"))


class WriterTurns(QueuePool):
    """The pool of a file's one writer connection: a writer that waits for it longer than SQLite's busy
    timeout fails as a busy database does (OperationalError), not with the pool's own TimeoutError. It
    counts the writers waiting for the connection: a writer that commits leaves its transaction open for
    them (above)."""

    # Its log lines go where QueuePool's go: under "sqlalchemy", which SQLAlchemy keeps at WARNING unless asked
    # (named after this module, "Pool disposed" and every checkout would reach the server's INFO log).
    _sqla_logger_namespace = "sqlalchemy.pool.impl.QueuePool"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting = 0
        self._counting = threading.Lock()

    @property
    def waiting(self) -> int:
        return self._waiting

    def _do_get(self) -> ConnectionPoolEntry:
        with self._counting:
            self._waiting += 1
        try:
            return super()._do_get()
        except PoolTimeout as waited:
            raise writer_queue_timeout() from waited
        finally:
            with self._counting:
                self._waiting -= 1


class SharedCommit:
    """One SQLite transaction that writers' transactions joined; settled by the COMMIT that ends it."""

    def __init__(self) -> None:
        self.members = 0  # writers whose work in it is done (committed by them, not yet by SQLite)
        self._settled = threading.Event()
        self._ticket = 0
        self._error: BaseException | None = None

    def settle(self, ticket: int = 0, error: BaseException | None = None) -> None:
        self._ticket, self._error = ticket, error
        self._settled.set()

    def ticket(self, timeout: float) -> int:
        """The flush ticket of the COMMIT that ended it (`paht.walsync`), once made; its error if it failed."""
        if not self._settled.wait(timeout):
            raise OperationalError("COMMIT", None, Exception("the shared commit did not end (writer queue timeout)"))
        if self._error is not None:
            raise OperationalError("COMMIT", None, self._error) from self._error
        return self._ticket


_DEFERRED = threading.local()  # a WriterSession's waits for its commits, made once the connection is handed on


class WriterSession(Session):
    """A writer's session: `commit` returns once the transaction is durable, as any commit, but waits for
    the shared COMMIT and the WAL flush (paht.walsync) after the session has handed its connection back, so
    that the next writer runs meanwhile on the one writer connection (WriterTurns)."""

    def commit(self) -> None:
        if getattr(_DEFERRED, "waits", None) is not None:  # a commit inside a commit's hooks
            super().commit()
            return
        waits: list[Callable[[], None]] = []
        _DEFERRED.waits = waits
        try:
            super().commit()
        finally:
            _DEFERRED.waits = None
            for wait in waits:
                wait()


def queue_writers(engine: Engine, lock: threading.Lock, flusher: WalFlusher | None, timeout: float) -> None:
    """Writers of `engine` queue on `lock` (shared by the file's engines), then BEGIN IMMEDIATE; with a
    `flusher` and one writer connection (WriterTurns) they also share transactions (module docstring)."""
    turns = _Turns(engine, lock, flusher, timeout)
    event.listen(engine, "begin", turns.begin)
    event.listen(engine, "commit", turns.commit)
    event.listen(engine, "rollback", turns.rollback)
    # A connection that reaches the pool without its transaction ended through SQLAlchemy (a session left
    # to the garbage collector, a connection invalidated by an error) is rolled back by the pool: the
    # mutex goes with it, or every later writer would wait for it in vain.
    event.listen(engine, "reset", lambda _dbapi, record, _state: turns.abandoned(record))
    event.listen(engine, "invalidate", lambda _dbapi, record, _error: turns.lost(record))
    event.listen(engine, "close", lambda _dbapi, record: turns.lost(record))
    if turns.shares:
        event.listen(engine, "checkin", lambda dbapi, _record: turns.checked_in(dbapi))
        # Ending the transaction is the events' work: SQLAlchemy's own COMMIT or ROLLBACK on the driver's
        # connection, which follows them, must not end a transaction the next writer is to continue.
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback
        dialect.do_commit = lambda dbapi: None if turns.open is not None else commit(dbapi)  # type: ignore[method-assign]
        dialect.do_rollback = lambda dbapi: None if turns.open is not None else rollback(dbapi)  # type: ignore[method-assign]


class _Turns:
    """The writer events of one engine; `open` is the transaction writers share, while one is open."""

    def __init__(self, engine: Engine, lock: threading.Lock, flusher: WalFlusher | None, timeout: float) -> None:
        self.engine, self.lock, self.flusher, self.timeout = engine, lock, flusher, timeout
        self.shares = flusher is not None and isinstance(engine.pool, WriterTurns)
        self.open: SharedCommit | None = None

    def _waiting(self) -> int:
        pool = self.engine.pool
        return pool.waiting if isinstance(pool, WriterTurns) else 0

    def begin(self, connection: Connection) -> None:
        dbapi = connection.connection.dbapi_connection
        if self.open is not None:  # continue the transaction the writers before left open
            dbapi.execute(f"SAVEPOINT {_SAVEPOINT}")  # type: ignore[union-attr]
            connection.info[_TURN] = True
            return
        if not self.lock.acquire(timeout=self.timeout):
            raise writer_queue_timeout()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise
        if self.shares:
            self.open = SharedCommit()
        connection.info[_TURN] = False

    def commit(self, connection: Connection) -> None:
        savepoint = connection.info.pop(_TURN, None)
        if savepoint is None:
            return
        dbapi = connection.connection.dbapi_connection
        waits = getattr(_DEFERRED, "waits", None)
        shared = self.open
        if shared is None:  # no sharing: this writer's own transaction
            self._end(lambda: dbapi.commit())  # type: ignore[union-attr]
            ticket = self.flusher.commit_made() if self.flusher is not None else 0
        else:
            try:
                if savepoint:
                    dbapi.execute(f"RELEASE {_SAVEPOINT}")  # type: ignore[union-attr]
            except BaseException as error:
                self._fail(dbapi, error)
                raise
            shared.members += 1
            if waits is not None and shared.members < MAX_SHARED and self._waiting():
                waits.append(lambda: self._durable(shared.ticket(self.timeout)))
                return  # the connection goes back to the pool with the transaction open, for the next writer
            ticket = self._finish(dbapi)
        if waits is None:
            self._durable(ticket)
        else:
            waits.append(lambda: self._durable(ticket))

    def rollback(self, connection: Connection) -> None:
        savepoint = connection.info.pop(_TURN, None)
        if savepoint is not None:
            self._undo(connection.connection.dbapi_connection, savepoint)

    def abandoned(self, record: ConnectionPoolEntry) -> None:
        """A connection back in the pool without its writer's transaction ended (reset)."""
        if record.dbapi_connection is None:
            self.lost(record)
        elif (savepoint := record.info.pop(_TURN, None)) is not None:
            self._undo(record.dbapi_connection, savepoint)

    def lost(self, record: ConnectionPoolEntry) -> None:
        """A connection closed or invalidated: an open transaction on it is gone, with every writer's work in it."""
        savepoint = record.info.pop(_TURN, None)
        if self.open is not None:
            self._fail(None, OperationalError("COMMIT", None, Exception("the writer connection was closed")))
        elif savepoint is not None:  # a writer's own transaction: the pool rolls it back, the mutex is freed
            self.lock.release()

    def checked_in(self, dbapi: Any) -> None:
        """Writers left the transaction open for a writer that was waiting and no longer is: commit it."""
        if self.open is not None and dbapi is not None and not self._waiting():
            try:
                self._finish(dbapi)
            except Exception:  # settled with the error for the writers that wait for it
                log.exception("shared commit failed")

    def _undo(self, dbapi: Any, savepoint: bool) -> None:
        """One writer's work undone: its savepoint, or the transaction it began (nobody had joined it)."""
        if self.open is None or not savepoint:  # nobody had joined it, so nobody waits for it
            self._end(lambda: dbapi.rollback())
            self.open = None
            return
        try:
            dbapi.execute(f"ROLLBACK TO {_SAVEPOINT}")
            dbapi.execute(f"RELEASE {_SAVEPOINT}")
        except Exception as error:  # the transaction is in doubt: it is ended, and the writers in it told
            self._fail(dbapi, error)
            return
        if not self._waiting():
            try:
                self._finish(dbapi)
            except Exception:  # settled with the error for the writers that wait for it
                log.exception("shared commit failed")

    def _end(self, finish: Callable[[], object]) -> None:
        try:
            finish()
        finally:
            self.lock.release()

    def _finish(self, dbapi: Any) -> int:
        """COMMIT the shared transaction; its flush ticket, also given to every writer that waits for it."""
        shared, self.open = self.open, None
        assert shared is not None
        try:
            dbapi.commit()
        except BaseException as error:
            _quietly(dbapi.rollback)  # before the mutex goes: the next writer must find SQLite's lock free
            self.lock.release()
            shared.settle(error=error)
            raise
        self.lock.release()
        ticket = self.flusher.commit_made() if self.flusher is not None else 0
        shared.settle(ticket)
        return ticket

    def _fail(self, dbapi: Any, error: BaseException) -> None:
        shared, self.open = self.open, None
        if dbapi is not None:
            _quietly(dbapi.rollback)
        self.lock.release()
        if shared is not None:
            shared.settle(error=error)

    def _durable(self, ticket: int) -> None:
        if self.flusher is not None:
            self.flusher.wait_for(ticket)


def _quietly(call: Callable[[], object]) -> None:
    try:
        call()
    except Exception:  # the connection is already failing; its first error is the one reported
        log.debug("ignored while ending a failed transaction", exc_info=True)
