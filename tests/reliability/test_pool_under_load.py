"""A burst of requests larger than the thread pool never stalls on the database pool (paht.deps._close).

Routes run in a pool of worker threads and take a pooled connection; the request's session is closed (its
connection returned) after the route, on a worker thread too. If that close queued for a thread behind
routes that are themselves waiting for a connection, every thread could end up waiting for a connection
that only a queued close would return: the requests stall until the pool's timeout and fail. The test
makes the database pool one connection, so that the smallest burst larger than the threads would stall.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from paht.config import Settings
from paht.db import Database, _sqlite_engine
from paht.main import create_app
from tests.live_server import serve

BURST = 120  # three times anyio's 40 worker threads
POOL_TIMEOUT_SECONDS = 20  # a stall waits all of it; a slow machine answers the burst well within it


def _one_connection_reader(db: Database) -> None:
    options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": POOL_TIMEOUT_SECONDS}
    engine = _sqlite_engine(db.url, **options) if db.sqlite else create_engine(db.url, **options)
    db.read_engine = engine
    db.reader = sessionmaker(engine, expire_on_commit=False)


def test_a_burst_beyond_the_threads_is_answered_without_waiting_for_the_pool(settings: Settings, db: Database):
    _one_connection_reader(db)
    with (
        serve(create_app(settings, db, worker=False)) as base_url,
        httpx.Client(base_url=base_url, timeout=60) as client,
        ThreadPoolExecutor(BURST) as burst,
    ):
        answers = list(burst.map(lambda _: client.get("/api/v1/public/reports.geojson"), range(BURST)))
    assert [a.status_code for a in answers] == [200] * BURST
    # Stalled requests would have waited the pool's whole timeout before failing.
    assert max(a.elapsed.total_seconds() for a in answers) < POOL_TIMEOUT_SECONDS
