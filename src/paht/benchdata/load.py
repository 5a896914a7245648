"""Fill a database with N generated reports: directory, bulk rows, indexes, derived data."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from paht.benchdata.extras import available as available_extras
from paht.benchdata.fillers import FillerResult, run_fillers
from paht.benchdata.rows import COLUMNS, COUNTED_TABLES, Batch
from paht.benchdata.timeline import Generator
from paht.benchdata.world import ensure_directory, load_world
from paht.benchdata.writer import open_writer
from paht.config import Settings
from paht.db import Database
from paht.migrate import upgrade
from paht.models import Report

BATCH_REPORTS = 5_000
SPAN_DAYS = 3 * 365


@dataclass
class LoadSummary:
    reports: int
    seed: int
    anchor: datetime
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    fillers: list[FillerResult] = field(default_factory=list)


def default_anchor() -> datetime:
    """Midnight UTC today: the same seed gives the same data all day, and the data ends in the present."""
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day)


def citizens_for(reports: int) -> int:
    return max(10, min(2_000, reports // 500))


def generate(
    url: str,
    settings: Settings,
    *,
    reports: int,
    seed: int = 7,
    anchor: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Add `reports` generated reports (the same ones for the same seed, count and anchor)."""
    started = time.monotonic()
    anchor = (anchor or default_anchor()).replace(tzinfo=None)
    say = stage or (lambda _: None)
    upgrade(url)
    db = Database(url)
    try:
        with db.write() as session:
            ensure_directory(session, citizens=citizens_for(reports))
        with db.read() as session:
            world = load_world(session)
            fresh = not session.scalar(select(func.count()).select_from(Report))
            extras = available_extras(session)
        columns = COLUMNS | {e.table: e.columns for e in extras}
        writer = open_writer(url, columns, COUNTED_TABLES + tuple(e.table for e in extras if e.counted))
        try:
            generator = Generator(
                world,
                settings,
                seed=seed,
                anchor=anchor,
                span_days=SPAN_DAYS,
                next_ids=writer.next_ids(),
                taken_codes=writer.codes(),
                sqlite=db.sqlite,
                extras=extras,
            )
            rows = dict.fromkeys(columns, 0)
            if fresh:
                writer.drop_indexes()
            try:
                say("generating and writing rows")
                _fill(generator, writer, reports, rows, progress)
            finally:
                say("building indexes")
                writer.finish()
        finally:
            writer.close()
        say("rebuilding derived data")
        fillers = run_fillers(db)
    finally:
        db.dispose()
    return LoadSummary(reports, seed, anchor, time.monotonic() - started, rows, fillers)


def _fill(generator: Generator, writer, count: int, rows: dict[str, int], progress) -> None:  # type: ignore[no-untyped-def]
    """Generate on this thread while a second thread writes the previous batch (the drivers release the GIL)."""
    batches: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def write_batches() -> None:
        while (batch := batches.get()) is not None:
            if failure:
                continue
            try:
                writer.write(batch)
            except BaseException as exc:  # re-raised on the generating thread
                failure.append(exc)
                continue
            for table, table_rows in batch.rows.items():
                rows[table] += len(table_rows)
            if progress:
                progress(len(batch.rows["reports"]))

    thread = threading.Thread(target=write_batches, name="bench-data-writer")
    thread.start()
    try:
        pending = 0
        for created in generator.created_times(count):
            generator.report(created)
            pending += 1
            if pending == BATCH_REPORTS:
                batches.put(_take(generator))
                pending = 0
                if failure:
                    break
        if pending and not failure:
            batches.put(_take(generator))
    finally:
        batches.put(None)
        thread.join()
    if failure:
        raise failure[0]


def _take(generator: Generator) -> Batch:
    batch, generator.batch = generator.batch, generator.new_batch()
    return batch
