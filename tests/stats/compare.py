"""Reading the maintained statistics tables and a full recomputation in the same shape, for comparison."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.config import get_settings
from paht.models import Report, StatsBucket, StatsDaily, StatsReportDims
from paht.models.stats import COUNTERS, KEY_COLUMNS
from paht.stats.aggregates import recompute

Snapshot = tuple[dict[tuple, dict[str, int]], dict[tuple, int], dict[object, tuple[int, int]]]


def maintained(session: Session) -> Snapshot:
    counters = {}
    for row in session.scalars(select(StatsDaily)):
        values = {name: getattr(row, name) for name in COUNTERS if getattr(row, name)}
        if values:
            counters[tuple(getattr(row, k) for k in KEY_COLUMNS)] = values
    buckets = {
        (tuple(getattr(row, k) for k in KEY_COLUMNS), row.metric, row.bucket): row.count
        for row in session.scalars(select(StatsBucket))
        if row.count
    }
    dims = {row.report_id: (row.category_key, row.area_key) for row in session.scalars(select(StatsReportDims))}
    return counters, buckets, dims


def recomputed(session: Session) -> Snapshot:
    report_ids = list(session.scalars(select(Report.id)))
    rows, dims = recompute(session, report_ids, timezone=get_settings().timezone)
    counters = {key: {n: v for n, v in values.items() if v} for key, values in rows.counters.items()}
    counters = {key: values for key, values in counters.items() if values}
    buckets = {key: count for key, count in Counter(rows.buckets).items() if count}
    return counters, buckets, dims
