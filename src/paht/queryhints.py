"""Planner hints that SQLAlchemy has no portable form for.

SQLite keeps one average per index column (`sqlite_stat1`, no histograms), so it takes `state = ?` to keep
a ninth of the reports, whatever the state. For 'published' — most reports in a city that has run for a
while — that estimate makes it read every published report through a state index and sort them all to
show the newest 50 (3 s at 1,000,000 reports), instead of walking `published_at` newest first and stopping
at the page's end (0.5 ms). `unindexed(column)` renders `+column` on SQLite, which keeps the term out of
index selection (sqlite.org/optoverview.html, "Disqualifying WHERE clause terms"), and the plain column
elsewhere: PostgreSQL's statistics see the distribution by themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class unindexed(FunctionElement[Any]):
    """The column as it is, for comparisons (its own type binds the compared value)."""

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = getattr(column, "type", String())


@compiles(unindexed)
def _plain(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(unindexed, "sqlite")
def _disqualified(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))
