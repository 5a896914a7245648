"""Derived data rebuilt after a bulk load from whole histories, by each capability's own rebuild function.

The real services keep derived data in step through `paht.reports.hooks`. Rows that follow one report
(search index, area) are written with the report by `extras.py`; aggregates over histories
(statistics) are rebuilt here once the reports are in. A filler is "module:function" taking a Session
(it must not commit; the loader does); a capability not in the tree is reported absent, never faked.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from paht.db import Database

# (what it fills, "module:function"); each function takes the Database and returns how many reports it counted.
FILLERS: tuple[tuple[str, str], ...] = (("statistics", "paht.benchdata.fillers:rebuild_statistics"),)
STATS_BATCH = 2_000


@dataclass(frozen=True)
class FillerResult:
    name: str
    status: str  # "filled" | "absent"
    rows: int | None = None


def resolve(path: str) -> Callable[[Database], int | None] | None:
    module_name, _, function = path.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None  # the capability is not in the tree yet
        raise
    return getattr(module, function, None)


def run_fillers(db: Database) -> list[FillerResult]:
    results = []
    for name, path in FILLERS:
        function = resolve(path)
        if function is None:
            results.append(FillerResult(name, "absent"))
            continue
        try:
            results.append(FillerResult(name, "filled", function(db)))
        except ModuleNotFoundError as exc:  # the capability the filler drives is not in the tree
            if not (exc.name or "").startswith("paht."):
                raise
            results.append(FillerResult(name, "absent"))
    return results


def _tally_share(job: tuple[str, str, list[list]]) -> tuple[object, dict]:
    """One worker's share of the report histories, summed in the worker (`paht.stats.bulk.Tally`): a batch's
    rows sent back one by one cost the parent ~0.5 ms of unpickling and adding per report."""
    from paht.stats.bulk import Tally, tally

    url, timezone, batches = job
    db = _worker_database(url)
    sums, dims = Tally(), {}
    with db.read() as session:
        for report_ids in batches:
            dims.update(tally(session, report_ids, timezone=timezone, into=sums))
    return sums, dims


_databases: dict[str, Database] = {}


def _worker_database(url: str) -> Database:
    if url not in _databases:
        _databases[url] = Database(url)
    return _databases[url]


def rebuild_statistics(db: Database, *, workers: int = 2) -> int:
    """`paht.stats.bulk.rebuild`, for a bulk load: histories summed on every CPU, spread and written once.

    The result is the same as the capability's own rebuild (its `Tally`), but the whole load is
    summed before anything is written, so each aggregate row is written once.
    """
    from paht.config import get_settings
    from paht.stats.aggregates import report_id_batches
    from paht.stats.bulk import Tally, empty_tables, store_dims

    with db.write() as session:
        empty_tables(session)
    with db.read() as session:
        batches = list(report_id_batches(session, STATS_BATCH))
    timezone = get_settings().timezone
    total, dims = Tally(), {}
    # Interleaved shares: old and new reports (short and long histories) alike in each.
    jobs = [(db.url, timezone, batches[worker::workers]) for worker in range(workers)]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for sums, share_dims in pool.map(_tally_share, jobs):
            total.merge(sums)  # type: ignore[arg-type]
            dims.update(share_dims)
    with db.write() as session:
        store_dims(session, dims)
        total.write(session)
    return len(dims)
