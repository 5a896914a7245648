"""Keeping the statistics tables: the report-change hook, and the full rebuild from events and assignments.

The hook adds the new event's deltas in the caller's transaction (registered in paht.reports.hooks.HOOKS,
after every other hook so that the report's area is already placed). A report is always counted under
its current category and area: when either changes, its whole history moves to the new key.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import repeat
from typing import Any

from sqlalchemy import TextClause, bindparam, func, insert, inspect, or_, select, text
from sqlalchemy.orm import Session

from paht.config import get_settings
from paht.enums import EventKind
from paht.models import Assignment, Event, Report, SlaClock, StatsReportDims
from paht.models.stats import COUNTERS, KEY_COLUMNS
from paht.prepared import Prepared, Write, driver_executemany
from paht.reports.hooks import NEW_REPORT_AREAS
from paht.stats.definitions import ALL_KEY, NONE_KEY, period_starts
from paht.stats.increments import ClockFact, Deltas, EventFact, total, walk

COUNTED_KINDS = ("created", "transition", "rated")

RowKey = tuple[str, date, int, int, int]  # grain, period start, area, category, organization


@dataclass
class Rows:
    """Aggregate rows to add: counters per key and bucket counts per key × (metric, bucket)."""

    counters: dict[RowKey, Counter[str]] = field(default_factory=dict)
    buckets: Counter[tuple[RowKey, str, str]] = field(default_factory=Counter)

    def add(self, deltas: Deltas, dims: tuple[int, int], sign: int = 1) -> None:
        """Add deltas under a report's (category, area), and under the rollups over every category/area."""
        category, area = dims
        levels = ((area, category), (area, ALL_KEY), (ALL_KEY, category), (ALL_KEY, ALL_KEY))
        counters, buckets = self.counters, self.buckets
        for (day, organization), delta in deltas.items():
            added = [(name, sign * value) for name, value in delta.counters.items()]
            counted = [(metric, bucket, sign * value) for (metric, bucket), value in delta.buckets.items()]
            for grain, start in period_starts(day):
                for area_key, category_key in levels:
                    key = (grain, start, area_key, category_key, organization)
                    target = counters.get(key)  # not setdefault: a Counter built per call, hit or not
                    if target is None:
                        target = counters[key] = Counter()
                    # get(…, 0), not +=: a Counter's += on a missing name goes through Python's __missing__.
                    for name, value in added:
                        target[name] = target.get(name, 0) + value
                    for metric, bucket, value in counted:
                        found = (key, metric, bucket)
                        buckets[found] = buckets.get(found, 0) + value


@dataclass
class History:
    """Everything the walk needs about one report."""

    channel: str
    dims: tuple[int, int]
    events: list[EventFact] = field(default_factory=list)
    clocks: list[ClockFact] = field(default_factory=list)
    body_of: dict[int, int] = field(default_factory=dict)


_places_installed: dict[str, bool] = {}


def places_installed(session: Session) -> bool:
    connection = session.connection()
    url = str(connection.engine.url)
    if url not in _places_installed:
        _places_installed[url] = inspect(connection).has_table("report_places")
    return _places_installed[url]


@cache
def _place_of_one(model: Any) -> Prepared:
    place = model.__table__.c
    return Prepared(
        select(place.report_id, place.area_id).where(place.report_id == bindparam("id", type_=place.report_id.type))
    )


def area_key(session: Session, report_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each report's area (paht.places), when areas are installed; otherwise every report has none."""
    try:
        from paht.models import ReportPlace  # type: ignore[attr-defined]
    except ImportError:  # the places capability is optional
        return {}
    if not places_installed(session):
        return {}
    if len(report_ids) == 1:  # the hook's case (a workflow step): after the flush, the row is the truth
        places = _place_of_one(ReportPlace).rows_flushed(session, id=report_ids[0])
        return {places[0].report_id: places[0].area_id} if places else {}
    rows = session.execute(
        select(ReportPlace.report_id, ReportPlace.area_id).where(ReportPlace.report_id.in_(report_ids))
    )
    return {report_id: area_id for report_id, area_id in rows}


@cache
def _history_queries(one: bool = False) -> tuple[Any, Any, Any]:
    """The three reads of `load_histories`, built once: the hook runs them on every workflow step, and
    building a statement costs about as much as running it. `ids` is an expanding IN parameter.

    `one`: for one report (parameter `id`), the hook's case, run on the driver's cursor (paht.prepared):
    through `Session.execute` the reads and the area's cost a step (W7) ~15 % of its CPU."""
    # On the tables, not the ORM entities: plain rows, without the ORM's compile and loading steps.
    report, event, assignment, clock = (m.__table__.c for m in (Report, Event, Assignment, SlaClock))
    if one:  # no IN lists: a prepared statement takes fixed parameters only
        kinds = or_(*(event.kind == bindparam(f"kind_{i}", kind) for i, kind in enumerate(COUNTED_KINDS)))
        matching: Any = lambda column: column == bindparam("id", type_=column.type)  # noqa: E731
    else:
        ids = bindparam("ids", expanding=True)
        kinds, matching = event.kind.in_(COUNTED_KINDS), lambda column: column.in_(ids)
    reports = select(report.id, report.channel, report.category_id).where(matching(report.id))
    # Each event with the body of the assignment it names (the walk needs nothing else of assignments).
    events = (
        select(
            event.report_id,
            event.id,
            event.kind,
            event.action,
            event.from_state,
            event.to_state,
            event.assignment_id,
            event.created_at,
            event.payload,
            assignment.organization_id,
        )
        .select_from(Event.__table__.outerjoin(Assignment.__table__, assignment.id == event.assignment_id))
        .where(matching(event.report_id), kinds)
        .order_by(event.report_id, event.id)
    )
    clocks = select(clock.report_id, clock.stage, clock.started_at, clock.due_at).where(matching(clock.report_id))
    if one:
        return Prepared(reports), Prepared(events), Prepared(clocks)
    return reports, events, clocks


def load_histories(
    session: Session, report_ids: Sequence[uuid.UUID], report: Report | None = None
) -> dict[uuid.UUID, History]:
    """The histories of some reports (`report`: the one report, already loaded, when there is only one)."""
    areas = area_key(session, report_ids)  # (flushes the session, as the reads below would)
    if len(report_ids) == 1:
        reports, events, clocks = _history_queries(one=True)
        read: Callable[[Any], Iterable[Any]] = lambda query: query.rows(session, id=report_ids[0])  # noqa: E731
    else:
        reports, events, clocks = _history_queries()
        read = lambda query: session.execute(query, {"ids": list(report_ids)})  # noqa: E731
    rows = [report] if report is not None else read(reports)
    found = {row.id: History(row.channel, (row.category_id or NONE_KEY, areas.get(row.id, NONE_KEY))) for row in rows}
    for row in read(events):
        history = found[row.report_id]
        history.events.append(EventFact(*row[1:-1]))
        if row.assignment_id is not None and row.organization_id is not None:
            history.body_of[row.assignment_id] = row.organization_id
    for row in read(clocks):
        found[row.report_id].clocks.append(ClockFact(*row[1:]))
    return found


def walk_history(history: History, timezone: str) -> list[tuple[int, Deltas]]:
    return walk(history.events, history.clocks, history.body_of, channel=history.channel, timezone=timezone)


def _new_report_area(session: Session, report_id: uuid.UUID) -> int:
    """A new report's area: the places hook, which runs first, has noted it in the session if it placed the
    report, and nothing else can have placed it yet — so no query. (Without the places capability nothing
    is noted: no area.)"""
    return session.info.get(NEW_REPORT_AREAS, {}).get(report_id, NONE_KEY)


def _new_report_history(session: Session, report: Report, event: Event) -> History:
    """A new report's history without reading it back: its one event is in hand, its first clock (just
    started) counts for nothing until it stops or runs late, and it has never been counted (three queries off
    every submission, issue 7 W1).
    tests/stats/test_property.py holds the maintained rows equal to a rebuild from the database."""
    history = History(report.channel, (report.category_id or NONE_KEY, _new_report_area(session, report.id)))
    fact = EventFact(
        event.id, event.kind, event.action, event.from_state, event.to_state, event.assignment_id, event.created_at,
        event.payload,
    )  # fmt: skip
    history.events.append(fact)
    return history


_INSERT_DIMS = Write(insert(StatsReportDims.__table__))


def on_report_change(session: Session, report: Report, event: Event) -> None:
    """The hook: add what `event` changes to the statistics, in the caller's transaction."""
    timezone = get_settings().timezone
    if event.kind == EventKind.created:
        history, stored = _new_report_history(session, report, event), None
    else:
        history = load_histories(session, [report.id], report)[report.id]
        stored = session.get(StatsReportDims, report.id)
    steps = walk_history(history, timezone)
    rows = Rows()
    if stored is None:  # first sight of this report (new, or older than the statistics): count all of it
        rows.add(total(d for _, d in steps), history.dims)
        dims = {"report_id": report.id, "category_key": history.dims[0], "area_key": history.dims[1]}
        _INSERT_DIMS.run(session, dims)  # a plain INSERT: the unit of work cost ~80 µs more per row
    elif (stored.category_key, stored.area_key) != history.dims:
        rows.add(total(d for event_id, d in steps if event_id != event.id), (stored.category_key, stored.area_key), -1)
        rows.add(total(d for _, d in steps), history.dims)
        stored.category_key, stored.area_key = history.dims
    else:
        rows.add(total(d for event_id, d in steps if event_id == event.id), history.dims)
    write(session, rows)


# Each table written here and the columns of its key (table and column names come from the models, never
# from input: hence the `nosec B608` on the SQL built from them).
_KEYS = {"stats_daily": KEY_COLUMNS, "stats_buckets": (*KEY_COLUMNS, "metric", "bucket")}
ROWS_PER_STATEMENT = 10_000  # a rebuild writes millions of rows: in bounded statements
_SQL_TYPES = {"grain": "varchar", "day": "date", "metric": "varchar", "bucket": "varchar"}  # others: bigint
_DAY = KEY_COLUMNS.index("day")


def _updates(table: str, added: tuple[str, ...]) -> str:
    return ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in added)


@lru_cache(maxsize=256)  # a step's counters come in a few dozen combinations
def _sqlite_upsert(table: str, columns: tuple[str, ...], added: tuple[str, ...]) -> str:
    """SQLite: add to the columns `added` of each row given (executemany: one prepared statement), in the
    driver's own terms. Through SQLAlchemy's statement each row's parameters were built and processed in
    Python: 3.4 of a rebuild's 12.5 s per 443,000 rows, against 1.6 s of the database's own work. Columns
    not named keep the table's default, 0."""
    marks = ", ".join("?" * len(columns))
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "  # noqa: S608  # nosec B608
    return f"{insert}ON CONFLICT ({', '.join(_KEYS[table])}) DO UPDATE SET {_updates(table, added)}"  # nosec B608


@lru_cache(maxsize=256)
def _postgres_upsert(table: str, columns: tuple[str, ...], added: tuple[str, ...]) -> TextClause:
    """PostgreSQL: the rows as one array per column, unnested: one statement and one round trip. psycopg
    sends each row of an executemany as a message of its own (~40 µs of CPU each; a step writes ~36 rows)."""
    arrays = ", ".join(f"CAST(:{c} AS {_SQL_TYPES.get(c, 'bigint')}[])" for c in columns)
    insert = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "  # noqa: S608  # nosec B608
    return text(f"{insert}ON CONFLICT ({', '.join(_KEYS[table])}) DO UPDATE SET {_updates(table, added)}")  # nosec B608


def _add(session: Session, table: str, added: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Add to `table`'s columns `added`; each row is its key's values, then those columns' values."""
    columns = (*_KEYS[table], *added)
    postgres = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        if postgres:
            arrays = {name: list(values) for name, values in zip(columns, zip(*chunk, strict=True), strict=True)}
            session.execute(_postgres_upsert(table, columns, added), arrays)
        else:  # SQLite stores a Date as its ISO text (what SQLAlchemy's Date type writes and reads back)
            dated = [(*row[:_DAY], row[_DAY].isoformat(), *row[_DAY + 1 :]) for row in chunk]
            driver_executemany(session, _sqlite_upsert(table, columns, added), dated)


def write(session: Session, rows: Rows, *, whole_rows: bool = False) -> None:
    """Add rows to the tables. Keys are written in sorted order so concurrent writers never deadlock: rows
    that add to the same counters go in one statement, split only where the next key adds to others.
    `whole_rows` (rebuilds: many reports' rows at once) sends every counter, so one statement takes all."""
    write_counters(session, rows.counters, whole_rows=whole_rows)
    # Flat rows sorted (not the nested keys: comparing those costs twice as much).
    write_buckets(session, sorted((*key, metric, bucket, n) for (key, metric, bucket), n in rows.buckets.items() if n))


def write_counters(session: Session, counters: dict[RowKey, Counter[str]], *, whole_rows: bool = False) -> None:
    """The stats_daily part of `write`."""
    run: list[tuple[Any, ...]] = []
    run_names: tuple[str, ...] = ()
    for key, values in sorted(counters.items()):
        if not any(values.values()):
            continue
        names = COUNTERS if whole_rows else tuple(sorted(name for name, value in values.items() if value))
        if names != run_names and run:
            _add(session, "stats_daily", run_names, run)
            run = []
        run_names = names
        run.append((*key, *map(values.get, names, repeat(0))))  # get: no Counter.__missing__ per name
    if run:
        _add(session, "stats_daily", run_names, run)


def write_buckets(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """The stats_buckets part of `write`: (*row key, metric, bucket, count) rows, sorted."""
    if rows:
        _add(session, "stats_buckets", ("count",), rows)


def recompute(
    session: Session, report_ids: Sequence[uuid.UUID], *, timezone: str
) -> tuple[Rows, dict[uuid.UUID, tuple[int, int]]]:
    """What the given reports' whole histories add up to, computed from events and assignments."""
    rows = Rows()
    dims: dict[uuid.UUID, tuple[int, int]] = {}
    for report_id, history in load_histories(session, report_ids).items():
        rows.add(total(d for _, d in walk_history(history, timezone)), history.dims)
        dims[report_id] = history.dims
    return rows, dims


def report_id_batches(session: Session, size: int) -> Iterable[list[uuid.UUID]]:
    """Every report id, in keyset batches (no OFFSET)."""
    last: uuid.UUID | None = None
    while True:
        query = select(Report.id).order_by(Report.id).limit(size)
        if last is not None:
            query = query.where(Report.id > last)
        batch = list(session.scalars(query))
        if not batch:
            return
        yield batch
        last = batch[-1]


def stale_report_ids(session: Session) -> list[uuid.UUID]:
    """Reports whose category or area is no longer the one their history is counted under."""
    query = select(StatsReportDims.report_id).join(Report, Report.id == StatsReportDims.report_id)
    changed = StatsReportDims.category_key != func.coalesce(Report.category_id, NONE_KEY)
    if places_installed(session):
        from paht.models import ReportPlace  # type: ignore[attr-defined]

        query = query.outerjoin(ReportPlace, ReportPlace.report_id == StatsReportDims.report_id)
        changed = or_(changed, StatsReportDims.area_key != func.coalesce(ReportPlace.area_id, NONE_KEY))
    return list(session.scalars(query.where(changed)))


def refresh_dims(session: Session, report_ids: Sequence[uuid.UUID] | None = None) -> int:
    """Move reports whose category or area changed outside the workflow (e.g. areas re-imported).

    With no ids, finds them (one scan of the per-report table: for administrative changes, not page views).
    Returns how many reports moved.
    """
    timezone = get_settings().timezone
    ids = list(report_ids) if report_ids is not None else stale_report_ids(session)
    moved = 0
    for start in range(0, len(ids), 500):
        for report_id, history in load_histories(session, ids[start : start + 500]).items():
            stored = session.get(StatsReportDims, report_id)
            if stored is None or (stored.category_key, stored.area_key) == history.dims:
                continue
            everything = total(d for _, d in walk_history(history, timezone))
            rows = Rows()
            rows.add(everything, (stored.category_key, stored.area_key), -1)
            rows.add(everything, history.dims)
            write(session, rows)
            stored.category_key, stored.area_key = history.dims
            moved += 1
    session.flush()
    return moved
