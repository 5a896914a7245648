"""How many threads run route work at once (`PAHT_ROUTE_THREADS`, paht.main.route_threads).

On SQLite every query runs on this process's CPUs, so the default is twice the CPUs it may use: anyio's 40
threads only took turns on them (W4 at 1 M reports: 22.8 ms of CPU per search instead of 19.5). PostgreSQL
works in its own processes; 16 threads there (anyio's 40 only waited for the GIL). The database pool keeps a
connection for every thread: a smaller one opened and closed one per request beyond it. A burst far beyond
the threads is still answered (tests/reliability/test_pool_under_load.py); here, that a request waiting for
a thread is not lost.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event

from paht.config import Settings
from paht.db import Database
from paht.main import SPARE_CONNECTIONS, create_app
from tests.live_server import serve


def _threads(client: TestClient) -> float:
    assert client.portal is not None
    return client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)


def test_the_default_follows_the_database(settings: Settings, db: Database):
    with TestClient(create_app(settings, db, worker=False)) as client:
        threads = _threads(client)
    assert threads == (2 * len(os.sched_getaffinity(0)) if db.sqlite else 16)


def test_a_burst_as_wide_as_the_threads_reuses_the_pools_connections(settings: Settings, db: Database):
    four = settings.model_copy(update={"route_threads": 4, "database_url": db.url})
    app = create_app(four, worker=False)  # its own database, its pool sized by the app
    opened = []
    event.listen(app.state.db.read_engine, "connect", lambda *_: opened.append(1))
    try:
        with (
            serve(app) as base_url,
            httpx.Client(base_url=base_url, timeout=60) as client,
            ThreadPoolExecutor(16) as burst,
        ):
            for _ in range(3):
                answers = list(burst.map(lambda _: client.get("/readyz"), range(64)))
                assert [a.status_code for a in answers] == [200] * 64
    finally:
        app.state.db.dispose()
    # At most one connection per thread (and the spare ones), however many requests: none closed and reopened.
    assert 1 <= len(opened) <= 4 + SPARE_CONNECTIONS


def test_the_setting_overrides_the_default(settings: Settings, db: Database):
    chosen = settings.model_copy(update={"route_threads": 3})
    with TestClient(create_app(chosen, db, worker=False)) as client:
        assert _threads(client) == 3


def test_one_thread_still_answers_every_request_of_a_burst(settings: Settings, db: Database):
    one = settings.model_copy(update={"route_threads": 1})
    with (
        serve(create_app(one, db, worker=False)) as base_url,
        httpx.Client(base_url=base_url, timeout=60) as client,
        ThreadPoolExecutor(20) as burst,
    ):
        answers = list(burst.map(lambda _: client.get("/api/v1/public/reports.geojson"), range(40)))
    assert [a.status_code for a in answers] == [200] * 40
