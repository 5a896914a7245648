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

from sqlalchemy import String, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
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


def plan_for_values(session: Session) -> None:
    """On PostgreSQL, plan the rest of this transaction's statements for their values.

    psycopg prepares a statement on the server after its 5th run on a connection, and PostgreSQL then
    switches to one plan for any values (a generic plan) when that looks no costlier. For a map box the
    right plan depends on the box: at 1,000,000 reports the generic plan of the map query read the whole
    band of longitudes and sorted it, 14 s for a dense box that the newest-first walk answers in
    milliseconds (issue 7, W5). Only such statements ask for it: planning every statement for its values
    cost the cheap ones a third of their throughput (W2 on PostgreSQL, 1,383 -> 838 req/s).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
