"""The limits hold across two real server processes on one database (a per-process counter would not)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from paht.db import Database
from paht.main import create_app
from tests.factories import idem, new_report_body
from tests.reliability.processes import paht_env, start_server

LIMIT = 4


@pytest.mark.slow  # two server processes start per database: ~50 s on a busy 2-core machine
def test_the_n_plus_first_submission_is_refused_whichever_process_gets_it(database_url, tmp_path):
    env = paht_env(database_url, tmp_path, submit_limit_per_device=LIMIT, submit_window_seconds=600)
    servers = [start_server(env, tmp_path), start_server(env, tmp_path)]
    try:
        statuses, retry_after = [], []
        for n in range(LIMIT + 2):  # alternate: A, B, A, B, …
            response = httpx.post(
                f"{servers[n % 2].url}/api/v1/reports",
                json=new_report_body(),
                headers={"X-Device-Id": "may-hai-tien-trinh"} | idem(),
                timeout=30,
            )
            statuses.append(response.status_code)
            retry_after.append(response.headers.get("Retry-After"))
    finally:
        for server in servers:
            server.kill()
    assert statuses == [201] * LIMIT + [429, 429]
    assert all(value and 0 < int(value) <= 600 for value in retry_after[LIMIT:])


def test_two_apps_with_their_own_connection_pools_share_the_count(settings):
    """The fast stand-in of the test above: nothing is kept in a process, only in the database."""
    limited = settings.model_copy(update={"submit_limit_per_device": LIMIT})
    databases = [Database(settings.database_url), Database(settings.database_url)]
    clients = [TestClient(create_app(limited, database, worker=False)) for database in databases]
    try:
        statuses = [
            clients[n % 2]
            .post("/api/v1/reports", json=new_report_body(), headers={"X-Device-Id": "may-hai-ung-dung"} | idem())
            .status_code
            for n in range(LIMIT + 2)
        ]
    finally:
        for database in databases:
            database.dispose()
    assert statuses == [201] * LIMIT + [429, 429]
