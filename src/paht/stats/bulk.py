"""Rebuilding the statistics in bulk: many reports' deltas summed before they are spread over the rows.

The hook spreads one event's deltas itself (`Rows.add`): each goes to 3 periods (day, week, month) × 4
rollups (the report's area and category, every category, every area, everything) — 12 rows. Done per
report, a rebuild of 100,000 reports made ~440 dictionary updates per report. A tally first sums every
report's deltas under their day-level row (reports of the same day, body, area and category share one:
2.8 deltas per row at 100,000 reports, more as the data grows), then builds each rollup from the smaller
level before it and each week and month from the days: each sum is spread once.

The rows are exactly `Rows.add`'s for the same reports (tests/stats/test_bulk.py).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from paht.config import get_settings
from paht.models import StatsBucket, StatsDaily, StatsReportDims
from paht.stats.aggregates import load_histories, report_id_batches, walk_history, write_buckets, write_counters
from paht.stats.definitions import ALL_KEY, DAY, period_starts
from paht.stats.increments import Deltas, total

# Day-level sums a rebuild holds before it writes them (~100 MB; the rows they spread to, ~3 times more).
FLUSH_ENTRIES = 500_000

# A day-level entry: (grain "d", day, area key, category key, organization key, *what) → value, where
# `what` is a counter's name, or a histogram's (metric, bucket): the rows' own key shape, so that the day
# grain needs no copy.
Flat = dict[tuple[Any, ...], int]


def _sum_into(out: Flat, source: Flat, rekey: Callable[[tuple[Any, ...]], tuple[Any, ...]]) -> None:
    get = out.get
    for key, value in source.items():
        new = rekey(key)
        out[new] = get(new, 0) + value


def _summed(source: Flat, rekey: Callable[[tuple[Any, ...]], tuple[Any, ...]]) -> Flat:
    out: Flat = {}
    _sum_into(out, source, rekey)
    return out


def _spread(days: Flat) -> Flat:
    """Every period and rollup of the day-level entries (`days`: the reports' own area and category)."""
    per_area = _summed(days, lambda k: (k[0], k[1], k[2], ALL_KEY, *k[4:]))
    per_category = _summed(days, lambda k: (k[0], k[1], ALL_KEY, k[3], *k[4:]))
    everything = _summed(per_area, lambda k: (k[0], k[1], ALL_KEY, ALL_KEY, *k[4:]))
    out: Flat = {}
    for level in (days, per_area, per_category, everything):
        out.update(level)
        for grain in (1, 2):  # week, month (period_starts: day, week, month)
            _sum_into(out, level, lambda k, g=grain: (*period_starts(k[1])[g], *k[2:]))  # type: ignore[misc]
    return out


@dataclass
class Tally:
    """Day-level sums of many reports' deltas; `write()` spreads them over the aggregate rows and adds them."""

    counters: Flat = field(default_factory=dict)
    buckets: Flat = field(default_factory=dict)

    def add(self, deltas: Deltas, dims: tuple[int, int]) -> None:
        category, area = dims
        counters, buckets = self.counters, self.buckets
        for (day, organization), delta in deltas.items():
            for name, value in delta.counters.items():
                key = (DAY, day, area, category, organization, name)
                counters[key] = counters.get(key, 0) + value
            for (metric, bucket), value in delta.buckets.items():
                key = (DAY, day, area, category, organization, metric, bucket)
                buckets[key] = buckets.get(key, 0) + value

    def merge(self, other: Tally) -> None:
        for mine, theirs in ((self.counters, other.counters), (self.buckets, other.buckets)):
            _sum_into(mine, theirs, lambda k: k)

    def __len__(self) -> int:
        return len(self.counters) + len(self.buckets)

    def write(self, session: Session) -> None:
        """Add the aggregate rows to the tables (`aggregates.write` with whole rows). The histogram rows,
        nine in ten, go from the spread straight to sorted flat rows, each entry freed as it is taken:
        through `Rows` a load of 1,000,000 reports would hold three copies of ~30 million rows at once."""
        write_counters(session, self._counter_rows(), whole_rows=True)
        spread, flat = _spread(self.buckets), []
        while spread:
            key, value = spread.popitem()
            if value:
                flat.append((*key, value))
        flat.sort()
        write_buckets(session, flat)

    def _counter_rows(self) -> dict[tuple[Any, ...], Counter[str]]:
        counters: dict[tuple[Any, ...], Counter[str]] = {}
        for (*key, name), value in _spread(self.counters).items():
            row_key = tuple(key)
            found = counters.get(row_key)
            if found is None:
                found = counters[row_key] = Counter()
            found[name] = value
        return counters


def tally(
    session: Session, report_ids: Sequence[uuid.UUID], *, timezone: str, into: Tally
) -> dict[uuid.UUID, tuple[int, int]]:
    """Add the given reports' whole histories to `into`; each report's (category, area) key."""
    dims: dict[uuid.UUID, tuple[int, int]] = {}
    for report_id, history in load_histories(session, report_ids).items():
        into.add(total(d for _, d in walk_history(history, timezone)), history.dims)
        dims[report_id] = history.dims
    return dims


def empty_tables(session: Session) -> None:
    """Delete every statistics row (a rebuild's first step)."""
    for model in (StatsDaily, StatsBucket, StatsReportDims):
        session.execute(delete(model))


def store_dims(session: Session, dims: dict[uuid.UUID, tuple[int, int]]) -> None:
    """Record the (category, area) key each report is counted under, in bounded statements."""
    items = [{"report_id": rid, "category_key": c, "area_key": a} for rid, (c, a) in dims.items()]
    for start in range(0, len(items), 10_000):
        session.execute(StatsReportDims.__table__.insert(), items[start : start + 10_000])


def rebuild(session: Session, *, batch_size: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Empty the statistics tables and recompute them from every report's history; returns the report count.

    Runs in the caller's transaction, which holds off concurrent workflow steps until it commits (SQLite:
    the write lock; PostgreSQL: an exclusive lock on the statistics tables), so nothing is counted twice.
    The sums are written whenever they reach FLUSH_ENTRIES (the writes add to rows already written).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE stats_daily, stats_buckets, stats_report_dims IN EXCLUSIVE MODE"))
    empty_tables(session)
    timezone = get_settings().timezone
    done, sums = 0, Tally()
    for batch in report_id_batches(session, batch_size):
        store_dims(session, tally(session, batch, timezone=timezone, into=sums))
        if len(sums) >= FLUSH_ENTRIES:
            sums.write(session)
            sums = Tally()
        done += len(batch)
        if progress is not None:
            progress(len(batch))
    sums.write(session)
    return done
