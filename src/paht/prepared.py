"""A SELECT compiled once per database and run straight on the driver's cursor, for the hottest reads.

SQLAlchemy's per-execution steps — the statement's cache key and compiled-cache lookup, an execution context,
a result object with its metadata — cost the public report (W2) more than its query: about a quarter of the
request's CPU on SQLite, for one indexed lookup (issue 7). Here the statement is compiled once, with
SQLAlchemy, for the connection's dialect; each execution converts the parameters with the column types'
own bind processors, runs the SQL on the DBAPI cursor, and converts each value with the types' own
result processors — the same values as `Connection.execute`, without the machinery around them.

Only plain SELECTs with fixed parameters (no expanding IN lists) are accepted; everything else goes through
`Connection.execute`. Driver errors are the driver's own (`Connection.dialect.loaded_dbapi.Error`).

`Shapes` keeps one such statement per *shape* of a query built per request (which filters, how many values
in an IN list): the statement is built and compiled at a shape's first request only, and every later request
of that shape passes just its values. There every parameter must be named and given each time: a literal in
the statement, or a parameter left out, would silently repeat the first request's value (both refused).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import BindParameter, Connection, Integer, Select, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


class _Compiled:
    """The statement's SQL and its parameter and column conversions for one dialect."""

    def __init__(self, statement: Select[Any], dialect: Dialect, *, named_only: bool) -> None:
        compiled = statement.compile(dialect=dialect)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("expanding parameters are rendered per execution: use Connection.execute")
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
        self.types = [c.type.dialect_impl(dialect) for c in statement.selected_columns]
        # (position, processor) of the columns that need converting; some processors need the driver's type
        # codes, so this is set at the first run.
        self.conversions: list[tuple[int, Callable[[Any], Any]]] | None = None
        self.row = namedtuple("Row", [c.key for c in statement.selected_columns])  # type: ignore[misc]

    def processors(self, description: Any) -> list[tuple[int, Callable[[Any], Any]]]:
        if self.conversions is None:
            codes = [column[1] for column in description]
            processors = [t.result_processor(self.dialect, code) for t, code in zip(self.types, codes, strict=True)]
            self.conversions = [(i, p) for i, p in enumerate(processors) if p is not None]
        return self.conversions


class Prepared:
    """A SELECT run on the driver's cursor: `rows(connection, name=value…)` → named tuples, as `.all()` gives."""

    def __init__(self, statement: Select[Any], *, named_only: bool = False) -> None:
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
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, arguments)
            fetched = cursor.fetchall()
            conversions = compiled.processors(cursor.description)
        finally:
            cursor.close()
        return _converted(fetched, conversions, compiled.row._make)


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
