"""Submissions on SQLite run in threads of their own and share one COMMIT (paht.intake.fast, paht.writerqueue).

The test holds the one writer connection in a transaction of its own while ten submissions arrive. Each
waits for the connection in a thread of its own (the route threads are twice the CPUs: on this machine at
most four could wait). Once the held transaction commits, the ten work one after the other inside it and
the last COMMITs them all: every one is answered 201, and each report is in the database exactly once.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from paht.db import Database
from paht.models import Report
from paht.writerqueue import WriterTurns
from tests.factories import new_report_body

SUBMISSIONS = 10


def _reports(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Report)) or 0


def test_submissions_waiting_for_the_writer_share_one_commit(client: TestClient, db: Database) -> None:
    if not db.sqlite:
        pytest.skip("SQLite's shared commit")
    before = _reports(db)
    held = db.writer()
    held.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the writer connection is this session's
    statements: list[str] = []
    held.connection().connection.dbapi_connection.set_trace_callback(statements.append)  # type: ignore[union-attr]
    answers: list[int] = []
    keys = [str(uuid.uuid4()) for _ in range(SUBMISSIONS)]

    def submit(key: str) -> None:
        answer = client.post("/api/v1/reports", json=new_report_body(), headers={"Idempotency-Key": key})
        answers.append(answer.status_code)

    threads = [threading.Thread(target=submit, args=(key,), daemon=True) for key in keys]
    for thread in threads:
        thread.start()
    pool = db.engine.pool
    assert isinstance(pool, WriterTurns)
    deadline, most = time.monotonic() + 10, 0
    try:
        while pool.waiting < SUBMISSIONS and time.monotonic() < deadline:
            most = max(most, pool.waiting)
            time.sleep(0.005)
        most = max(most, pool.waiting)
    finally:
        held.commit()  # returns once the COMMIT the submissions share is on disk
        held.close()
        for thread in threads:
            thread.join(20)

    assert most == SUBMISSIONS, f"only {most} submissions waited for the writer at once"

    assert answers == [201] * SUBMISSIONS
    assert _reports(db) == before + SUBMISSIONS
    assert statements.count("COMMIT") == 1
    with db.read() as session:
        stored = session.execute(text("SELECT count(DISTINCT key) FROM idempotency_keys")).scalar_one()
    assert stored >= SUBMISSIONS
