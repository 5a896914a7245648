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

from math import isqrt
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


def walk_threshold(rows: int, *, scale: int, floor: int) -> int:
    """From how many matches walking a list newest first (and testing each row) beats collecting the
    matches and sorting them, in a table of `rows`.

    Walking to fill a page costs ~page / f rows for matches in a fraction f of the table; collecting
    costs the f × rows matches. They meet where (f × rows)² ≈ page × rows × (walk cost / collect cost),
    i.e. at sqrt(scale × rows) matches; `scale` is measured per use (docs/benchmarks.md), `floor` keeps
    small cities on the plan they were tested with.
    """
    return max(floor, isqrt(scale * rows))
