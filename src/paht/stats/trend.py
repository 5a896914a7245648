"""Trends by week or month, read from the week and month rows (one row per key per point)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from paht.errors import Invalid
from paht.stats import metrics, queries
from paht.stats.definitions import MONTH, WEEK, month_end, month_start, quantile, ratio, week_start
from paht.stats.queries import Scope
from paht.stats.schemas import TrendOut, TrendPoint
from paht.stats.summary import period_out

GRANULARITIES = {"week": WEEK, "month": MONTH}


def starts(first: date, last: date, granularity: str) -> list[date]:
    """The start of every week (Monday) or month that overlaps [first, last]."""
    cursor = week_start(first) if granularity == "week" else month_start(first)
    out = []
    while cursor <= last:
        out.append(cursor)
        cursor = cursor + timedelta(days=7) if granularity == "week" else month_end(cursor) + timedelta(days=1)
    return out


def _point(start: date, c: Counter[str], resolve_hist: Counter[str]) -> TrendPoint:
    rated = metrics.satisfaction(c)
    return TrendPoint(
        start=start,
        received=c.get("received", 0),
        assigned=c.get("assigned", 0),
        resolved=c.get("resolved", 0),
        published=c.get("published", 0),
        acknowledge_on_time_rate=ratio(c.get("ack_on_time", 0), c.get("ack_timed", 0)),
        resolve_on_time_rate=ratio(c.get("resolve_on_time", 0), c.get("resolve_timed", 0)),
        resolve_median_seconds=quantile(metrics.histogram(resolve_hist), 0.5),
        satisfaction_average=rated.average,
        ratings=rated.count,
    )


def build(session: Session, scope: Scope, granularity: str) -> TrendOut:
    """Points for every week (or month) that starts inside the period, widened to whole weeks/months."""
    if granularity not in GRANULARITIES:
        raise Invalid("granularity phải là week hoặc month (granularity must be week or month).")
    points = starts(scope.period.start, scope.period.end, granularity)
    widened = replace(scope, period=replace(scope.period, start=points[0]))
    grain = GRANULARITIES[granularity]
    rows = queries.series(session, widened, grain)
    resolve = queries.series_buckets(session, widened, grain, "resolve")
    return TrendOut(
        granularity=granularity,
        period=period_out(widened),
        points=[_point(start, rows.get(start, Counter()), resolve.get(start, Counter())) for start in points],
    )
