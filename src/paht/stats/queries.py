"""Reading the statistics: sums of maintained rows over a period, and live overdue clocks.

A period is read as whole months, whole weeks and single days (`definitions.cover`), so the cost grows
with the number of bodies, categories and areas, never with the number of reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from paht.models import SlaClock, StatsBucket, StatsDaily, StatsReportDims
from paht.models.stats import COUNTERS
from paht.stats.definitions import ALL_KEY, GRAINS, IOC_KEY, cover
from paht.stats.periods import Period

GROUPS = ("organization", "category", "area")
IOC_STAGES = frozenset({"dispatch", "publish"})  # clocks the IOC answers for; the others are the body's


@dataclass(frozen=True)
class Scope:
    """Which rows to read. organization_ids None: every body (and the IOC); otherwise only those bodies."""

    period: Period
    organization_ids: frozenset[int] | None = None
    category_id: int | None = None
    area_id: int | None = None


def _group_column(model, group_by: str | None):  # type: ignore[no-untyped-def]
    if group_by is None:
        return None
    return getattr(model, f"{group_by}_key")


def _period(model, pieces: list[tuple[str, date]]) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    by_grain: dict[str, list[date]] = defaultdict(list)
    for grain, start in pieces:
        by_grain[grain].append(start)
    return or_(*(and_(model.grain == g, model.day.in_(by_grain[g])) for g in GRAINS if by_grain[g]))


def _level(column, chosen: int | None, grouped: bool) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """One dimension's rows: a chosen key, every real key when grouping by it, else its rollup row."""
    if chosen is not None:
        return column == chosen
    return column != ALL_KEY if grouped else column == ALL_KEY


def _filters(model, scope: Scope, group_by: str | None) -> list[ColumnElement[bool]]:  # type: ignore[no-untyped-def]
    conditions = [
        _level(model.category_key, scope.category_id, group_by == "category"),
        _level(model.area_key, scope.area_id, group_by == "area"),
    ]
    if scope.organization_ids is not None:
        conditions.append(model.organization_key.in_(sorted(scope.organization_ids)))
    return conditions


def _where(model, scope: Scope, group_by: str | None) -> list[ColumnElement[bool]]:  # type: ignore[no-untyped-def]
    return [_period(model, cover(scope.period.start, scope.period.end)), *_filters(model, scope, group_by)]


def _keys(model, group_by: str | None) -> list:  # type: ignore[no-untyped-def]
    group = _group_column(model, group_by)
    return [model.organization_key] + ([group] if group is not None else [])


def _key(row, width: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return (row[0], row[1] if width == 2 else 0)


def counters(session: Session, scope: Scope, group_by: str | None) -> dict[tuple[int, int], Counter[str]]:
    """Summed counters per (organization key, group key); the group key is 0 when not grouping."""
    keys = _keys(StatsDaily, group_by)
    query = (
        select(*keys, *(func.sum(getattr(StatsDaily, name)) for name in COUNTERS))
        .where(*_where(StatsDaily, scope, group_by))
        .group_by(*keys)
    )
    return {
        _key(row, len(keys)): Counter({n: int(v or 0) for n, v in zip(COUNTERS, row[len(keys) :], strict=True)})
        for row in session.execute(query)
    }


def buckets(session: Session, scope: Scope, group_by: str | None) -> dict[tuple[int, int], dict[str, Counter[str]]]:
    """Summed bucket counts per (organization key, group key) and metric."""
    keys = _keys(StatsBucket, group_by)
    query = (
        select(*keys, StatsBucket.metric, StatsBucket.bucket, func.sum(StatsBucket.count))
        .where(*_where(StatsBucket, scope, group_by))
        .group_by(*keys, StatsBucket.metric, StatsBucket.bucket)
    )
    out: dict[tuple[int, int], dict[str, Counter[str]]] = {}
    for row in session.execute(query):
        metric, bucket, count = row[len(keys) :]
        out.setdefault(_key(row, len(keys)), {}).setdefault(metric, Counter())[bucket] += int(count or 0)
    return out


def series(session: Session, scope: Scope, grain: str) -> dict[date, Counter[str]]:
    """Counters per week or month (rows of that grain whose period starts inside the scope)."""
    conditions = [
        StatsDaily.grain == grain,
        StatsDaily.day >= scope.period.start,
        StatsDaily.day <= scope.period.end,
        *_filters(StatsDaily, scope, None),
    ]
    query = (
        select(StatsDaily.day, *(func.sum(getattr(StatsDaily, name)) for name in COUNTERS))
        .where(*conditions)
        .group_by(StatsDaily.day)
        .order_by(StatsDaily.day)
    )
    return {
        row[0]: Counter({name: int(v or 0) for name, v in zip(COUNTERS, row[1:], strict=True)})
        for row in session.execute(query)
    }


def series_buckets(session: Session, scope: Scope, grain: str, metric: str) -> dict[date, Counter[str]]:
    conditions = [
        StatsBucket.grain == grain,
        StatsBucket.day >= scope.period.start,
        StatsBucket.day <= scope.period.end,
        StatsBucket.metric == metric,
        *_filters(StatsBucket, scope, None),
    ]
    query = (
        select(StatsBucket.day, StatsBucket.bucket, func.sum(StatsBucket.count))
        .where(*conditions)
        .group_by(StatsBucket.day, StatsBucket.bucket)
    )
    out: dict[date, Counter[str]] = {}
    for day, bucket, count in session.execute(query):
        out.setdefault(day, Counter())[bucket] += int(count or 0)
    return out


@dataclass(frozen=True)
class Filters:
    """Filters of the live (period-less) reads."""

    organization_ids: frozenset[int] | None = None
    category_id: int | None = None
    area_id: int | None = None

    @classmethod
    def of(cls, scope: Scope) -> Filters:
        return cls(scope.organization_ids, scope.category_id, scope.area_id)


def overdue_counts(
    session: Session, filters: Filters, now: datetime, group_by: str | None
) -> dict[tuple[int, int], Counter[str]]:
    """Running clocks past their due time now, per (responsible party, group key) and stage.

    Reads the partial index of running clocks only. The responsible party is the IOC for the dispatch and
    publish clocks and the assigned body for the others.
    """
    group = getattr(StatsReportDims, f"{group_by}_key") if group_by in ("category", "area") else None
    columns = [SlaClock.organization_id, SlaClock.stage, *([group] if group is not None else [])]
    conditions: list[ColumnElement[bool]] = [SlaClock.stopped_at.is_(None), SlaClock.due_at < now]
    if filters.category_id is not None:
        conditions.append(StatsReportDims.category_key == filters.category_id)
    if filters.area_id is not None:
        conditions.append(StatsReportDims.area_key == filters.area_id)
    query = select(*columns, func.count()).where(*conditions).group_by(*columns)
    if group is not None or filters.category_id is not None or filters.area_id is not None:
        query = query.join(StatsReportDims, StatsReportDims.report_id == SlaClock.report_id)
    out: dict[tuple[int, int], Counter[str]] = {}
    for row in session.execute(query):
        organization, stage = row[0], row[1]
        party = IOC_KEY if stage in IOC_STAGES or organization is None else organization
        if filters.organization_ids is not None and party not in filters.organization_ids:
            continue
        key = (party, row[2] if group is not None else 0)
        out.setdefault(key, Counter())[stage] += int(row[-1])
    return out


def running_counts(session: Session, organization_ids: Collection[int] | None) -> dict[tuple[int, str], int]:
    """Clocks running now per (responsible party, stage): the dashboards' "clocks running"."""
    query = (
        select(SlaClock.organization_id, SlaClock.stage, func.count())
        .where(SlaClock.stopped_at.is_(None))
        .group_by(SlaClock.organization_id, SlaClock.stage)
    )
    out: dict[tuple[int, str], int] = defaultdict(int)
    for organization, stage, count in session.execute(query):
        party = IOC_KEY if stage in IOC_STAGES or organization is None else organization
        if organization_ids is None or party in organization_ids:
            out[(party, stage)] += int(count)
    return dict(out)
