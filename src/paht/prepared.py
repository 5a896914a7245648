"""A SELECT compiled once per database and run straight on the driver's cursor, for the hottest reads.

SQLAlchemy's per-execution steps — the statement's cache key and compiled-cache lookup, an execution context,
a result object with its metadata — cost the public report (W2) more than its query: about a quarter of the
request's CPU on SQLite, for one indexed lookup (issue 7). Here the statement is compiled once, with
SQLAlchemy, for the connection's dialect; each execution converts the parameters with the column types'
own bind processors, runs the SQL on the DBAPI cursor, and converts each value with the types' own
result processors — the same values as `Connection.execute`, without the machinery around them.

Only SELECTs (and an INSERT … RETURNING whose values are all given) with fixed parameters (no expanding IN
lists) are accepted; everything else goes through `Connection.execute`, or `Write` for statements without
rows. A driver error is raised as SQLAlchemy's own (OperationalError, IntegrityError…), as `execute` raises it.

`Shapes` keeps one such statement per *shape* of a query built per request (which filters, how many values
in an IN list): the statement is built and compiled at a shape's first request only, and every later request
of that shape passes just its values. There every parameter must be named and given each time: a literal in
the statement, or a parameter left out, would silently repeat the first request's value (both refused).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import BindParameter, Connection, Insert, Integer, Select, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.dml import UpdateBase


class _Compiled:
    """The statement's SQL and its parameter and column conversions for one dialect."""

    def __init__(self, statement: Select[Any] | UpdateBase, dialect: Dialect, *, named_only: bool) -> None:
        compiled = statement.compile(dialect=dialect)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("expanding parameters are rendered per execution: use Connection.execute")
        if compiled.insert_prefetch or compiled.update_prefetch:  # (values SQLAlchemy computes per execution)
            raise ValueError("give every column's value: Python-side defaults are computed per execution")
        if named_only and (anonymous := [b.key for b in compiled.binds.values() if b.unique]):
            raise ValueError(f"a statement kept by shape must name every parameter: {anonymous}")
        self.required = frozenset(compiled.binds) if named_only else frozenset()
        self.sql = compiled.string
        self.names = list(compiled.positiontup or ()) if dialect.positional else None
        self.defaults = {name: bind.effective_value for name, bind in compiled.binds.items()}
        self.binds = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self.dialect = dialect
        self.types = [c.type.dialect_impl(dialect) for c in statement.exported_columns]  # (a DML's RETURNING)
        # (position, processor) of the columns that need converting; some processors need the driver's type
        # codes, so this is set at the first run.
        self.conversions: list[tuple[int, Callable[[Any], Any]]] | None = None
        self.row = namedtuple("Row", [c.key for c in statement.exported_columns])  # type: ignore[misc]

    def processors(self, description: Any) -> list[tuple[int, Callable[[Any], Any]]]:
        if self.conversions is None:
            codes = [column[1] for column in description]
            processors = [t.result_processor(self.dialect, code) for t, code in zip(self.types, codes, strict=True)]
            self.conversions = [(i, p) for i, p in enumerate(processors) if p is not None]
        return self.conversions


class Prepared:
    """A SELECT run on the driver's cursor: `rows(connection, name=value…)` → named tuples, as `.all()` gives."""

    def __init__(self, statement: Select[Any] | UpdateBase, *, named_only: bool = False) -> None:
        self.statement = statement
        self.named_only = named_only
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect, named_only=self.named_only)
        return found

    def rows(self, connection: Connection | Session, **params: Any) -> list[Any]:
        if isinstance(connection, Session):
            connection = connection.connection()
        compiled = self._compiled(connection.dialect)
        if missing := compiled.required - params.keys():  # (a value the statement dropped, as in `false() & x`, is not)
            raise ValueError(f"parameters {sorted(missing)} not given for {sorted(compiled.required)}")
        values = compiled.defaults | params
        for name, processor in compiled.binds.items():
            values[name] = processor(values[name])
        arguments = [values[name] for name in compiled.names] if compiled.names is not None else values
        with _driver_cursor(connection, compiled.sql, params) as cursor:
            cursor.execute(compiled.sql, arguments)
            fetched = cursor.fetchall()
            conversions = compiled.processors(cursor.description)
        return _converted(fetched, conversions, compiled.row._make)

    def rows_flushed(self, session: Session, **params: Any) -> list[Any]:
        """`rows` as `Session.execute` would run it: the session's pending objects are written first."""
        flush_pending(session)
        return self.rows(session, **params)


def _converted(fetched: list[Any], conversions: list[tuple[int, Callable[[Any], Any]]], make: Any) -> list[Any]:
    """Each row with its converted columns replaced; only those are visited (about a third of a staff list's
    26 columns: half the cost of zipping every value with its processor)."""
    rows = []
    for row in fetched:
        values = list(row)
        for position, processor in conversions:
            values[position] = processor(values[position])
        rows.append(make(values))
    return rows


def named(name: str, value: Any, column: Any) -> BindParameter[Any]:
    """A parameter named for a statement kept by shape, typed as its column."""
    return bindparam(name, value, type_=column.type)


def page_rows(rows: int) -> dict[str, int]:
    """The values of `limited`'s LIMIT and OFFSET for a page read in `rows` rows."""
    return {"limit": rows, "offset": 0}


def limited(query: Select[Any], values: dict[str, Any]) -> Select[Any]:
    """`query` with a named LIMIT and OFFSET (`page_rows`): SQLite writes an OFFSET wherever there is a LIMIT,
    and a statement kept by shape names every parameter."""
    limit = bindparam("limit", values["limit"], type_=Integer())
    return query.limit(limit).offset(bindparam("offset", values["offset"], type_=Integer()))


class Shapes:
    """Prepared statements by shape: `rows(connection, shape, build, **params)` runs `build()` (a Select whose
    parameters are all named, `params` their names) at the shape's first request only.

    `shape` must tell apart every two statements `build` can return. The shapes of a query are finitely many
    (which filters are set, how many values each IN list has), and callers keep them few (the staff list
    counts each state once); past `most` shapes the cache starts again rather than grow."""

    def __init__(self, most: int = 512) -> None:
        self._by_shape: dict[Hashable, Prepared] = {}
        self.most = most

    def clear(self) -> None:
        self._by_shape.clear()

    def rows(
        self, connection: Connection | Session, shape: Hashable, build: Callable[[], Select[Any]], **params: Any
    ) -> list[Any]:
        prepared = self._by_shape.get(shape)
        if prepared is None:
            if len(self._by_shape) >= self.most:
                self._by_shape.clear()
            prepared = self._by_shape[shape] = Prepared(build(), named_only=True)
        return prepared.rows(connection, **params)


class Write:
    """An INSERT, UPDATE or DELETE built once and run on the driver's cursor: `run(session, params)`, or a list
    of params (executemany) → the rows it changed. For the statements every submission and workflow step runs
    (issue 7, W1/W7): through `Session.execute` each cost ~20 µs of SQLAlchemy's machinery around ~2 µs of the
    database's work.

    Compiled once per dialect and set of parameter names (an INSERT's columns are the names given). Every
    column a statement writes must be given: a column default computed in Python is refused, not skipped.
    As `Session.execute` would, it flushes the session's pending objects first (unless autoflush is off), and
    a driver error is raised as SQLAlchemy's own (IntegrityError…), so callers catch what they caught before.
    """

    def __init__(self, statement: UpdateBase) -> None:
        # `inline`: no RETURNING of the new row's key, which PostgreSQL's dialect adds to a one-row INSERT.
        self.statement = statement.inline() if isinstance(statement, Insert) else statement
        self._compiled: dict[tuple[str, frozenset[str]], tuple[str, list[_Bind], bool]] = {}

    def _for(self, dialect: Dialect, keys: frozenset[str]) -> tuple[str, list[_Bind], bool]:
        """The SQL, its parameters in the order the driver takes them, and whether that is by position."""
        found = self._compiled.get((dialect.name, keys))
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=sorted(keys))
            if compiled.insert_prefetch or compiled.update_prefetch or compiled.effective_returning:
                raise ValueError("give every column's value (no Python-side defaults) and no RETURNING")
            if missing := set(compiled.binds) - keys - {n for n, b in compiled.binds.items() if not b.required}:
                raise ValueError(f"parameters {sorted(missing)} not given")
            binds = {
                name: (name, bind.effective_value, bind.type.dialect_impl(dialect).bind_processor(dialect))
                for name, bind in compiled.binds.items()
            }
            names = compiled.positiontup if dialect.positional else list(binds)
            found = (compiled.string, [binds[name] for name in names or ()], dialect.positional)
            self._compiled[(dialect.name, keys)] = found
        return found

    def run(self, session: Session, params: dict[str, Any] | list[dict[str, Any]]) -> int:
        flush_pending(session)
        connection = session.connection()
        dialect = connection.dialect
        many = isinstance(params, list)
        rows = params if many else [params]
        sql, order, positional = self._for(dialect, frozenset(rows[0]))
        arguments = [_arguments(row, order, positional) for row in rows]
        with _driver_cursor(connection, sql, params) as cursor:
            if many:
                cursor.executemany(sql, arguments)
            else:
                cursor.execute(sql, arguments[0])
            return int(cursor.rowcount)


def insert_object(session: Session, obj: Any, write: Write) -> None:
    """Write a new mapped object with one plain INSERT (`write`, on its table) and make it the session's
    persistent object, as a flush would, without the unit of work: its bookkeeping cost a submission ~0.3 ms
    for its two new rows (issue 7, W1). Columns not set get their Python-side default (or None) on the object
    first, so that nothing is loaded back on access; there must be no server-side default to read back.
    No mapper events run (none are registered for the models written this way)."""
    columns = obj.__table__.columns
    for column in columns:
        if column.key not in obj.__dict__:
            default = column.default
            value = default.arg(None) if default is not None and default.is_callable else getattr(default, "arg", None)
            setattr(obj, column.key, value)
    write.run(session, {column.key: getattr(obj, column.key) for column in columns})
    make_transient_to_detached(obj)
    session.add(obj)


def driver_executemany(session: Session, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """`Connection.exec_driver_sql(sql, rows)` (SQL and values in the driver's own terms, no autoflush) without
    the execution context around it: the statistics' two upserts per submission and workflow step."""
    connection = session.connection()
    with _driver_cursor(connection, sql, rows) as cursor:
        cursor.executemany(sql, rows)


@contextmanager
def _driver_cursor(connection: Connection, sql: str, params: Any) -> Iterator[Any]:
    """A cursor of the connection's driver; its errors raised as the SQLAlchemy exceptions `Connection.execute`
    would have raised (IntegrityError, OperationalError…)."""
    dialect = connection.dialect
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
    finally:
        cursor.close()


def flush_pending(session: Session) -> None:
    """What `Session.execute` does before any statement, a statement run here does not: write the session's
    pending objects, unless autoflush is off (`no_autoflush`)."""
    if session.autoflush:
        session.flush()


_Bind = tuple[str, Any, Callable[[Any], Any] | None]  # a parameter's name, default value and bind processor


def _arguments(row: dict[str, Any], order: list[_Bind], positional: bool) -> Any:
    values = [
        row.get(name, default) if processor is None else processor(row.get(name, default))
        for name, default, processor in order
    ]
    return values if positional else {name: value for (name, _, _), value in zip(order, values, strict=True)}
