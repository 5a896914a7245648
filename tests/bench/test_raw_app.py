"""The raw reference app answers the benchmark's routes like PAHT does, and writes the same rows, durably."""

from __future__ import annotations

import itertools
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest
from bench.raw import derived
from bench.raw.app import RawApp
from bench.raw.db import Store
from sqlalchemy import select, text

from bench import checks
from bench import context as contexts
from paht.audit.chain import row_hash
from paht.benchdata.load import generate
from paht.models import Event, Report
from paht.places.service import area_for_point
from paht.stats.definitions import NONE_KEY
from tests.live_server import serve

RAW_WORKLOADS = {"W1", "W2", "W3", "W4", "W5", "W7"}


@pytest.fixture
def city(database_url, settings):
    generate(database_url, settings, reports=250, seed=3, anchor=datetime(2026, 11, 2))
    return database_url


@contextmanager
def raw_server(url: str, mode: str) -> Iterator[str]:
    app = RawApp()
    app.store = Store(url, mode)
    with serve(app) as base:  # type: ignore[arg-type]
        yield base


def test_reads_are_the_same_json_and_writes_the_same_fields(city, app, db):
    context = contexts.build(db)
    with serve(app) as paht, raw_server(city, "commit-per-request") as raw:
        clients = {"paht": httpx.Client(base_url=paht, timeout=30), "raw": httpx.Client(base_url=raw, timeout=30)}
        found = checks.run_checks(context, clients, present=RAW_WORKLOADS, raw=RAW_WORKLOADS)
    assert {c.workload for c in found} == RAW_WORKLOADS
    assert {c.app for c in found} == {"paht", "raw"}
    assert [c for c in found if not c.ok] == []
    rows = [c.detail for c in found if c.app == "raw" and c.workload in {"W1", "W7"}]
    assert rows.count("the same rows as PAHT's") == 2
    with db.read() as session:  # both apps' events are links of one audit chain (the generated ones have none)
        hashed = session.scalars(select(Event).where(Event.hash.is_not(None)).order_by(Event.id)).all()
    assert len(hashed) == 2 + 6  # a submission per app; two steps each and PAHT's first round trip
    assert all(e.hash == row_hash(e.prev_hash, e) for e in hashed)
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(hashed))


def test_a_row_the_raw_app_leaves_out_fails_the_check(city, app, db, monkeypatch):
    """The rows check counts per table: a raw app that skips the consent record is caught by name."""
    monkeypatch.setattr(derived, "record_consent", lambda *args: None)
    context = contexts.build(db)
    with serve(app) as paht, raw_server(city, "commit-per-request") as raw:
        clients = {"paht": httpx.Client(base_url=paht, timeout=30), "raw": httpx.Client(base_url=raw, timeout=30)}
        found = checks.check_w1(context, clients)
    failed = [c for c in found if not c.ok]
    assert [c.app for c in failed] == ["raw"]
    assert failed[0].detail == "rows differ: consents PAHT +1 raw +0"


def test_a_different_answer_fails_the_check(city, app, db):
    """The comparison is field by field: one changed value in the raw app's JSON is reported with its path."""
    context = contexts.build(db)
    code = context.published_codes[0]
    with serve(app) as paht:
        truth = httpx.get(f"{paht}/api/v1/public/reports/{code}").json()
        altered = truth | {"steps": truth["steps"] | {"published_at": "2000-01-01T00:00:00Z"}}
        wrong = httpx.Client(
            base_url="http://raw", transport=httpx.MockTransport(lambda _: httpx.Response(200, json=altered))
        )
        found = checks.check_w2(context, {"paht": httpx.Client(base_url=paht), "raw": wrong})
    failed = [c for c in found if not c.ok]
    assert [c.app for c in failed] == ["raw"] * len(context.published_codes[:3])
    assert "/steps/published_at" in failed[0].detail


def test_group_commit_answers_every_submission_after_its_commit(city, db):
    context = contexts.build(db)
    with raw_server(city, "group-commit") as raw:
        from bench.workloads import Submissions

        source = Submissions(context, seed=4)
        answers: list[httpx.Response] = []

        def submit() -> None:
            with httpx.Client(base_url=raw, timeout=30) as client:
                for _ in range(5):
                    answers.append(checks._raw_request(client, source.next(0)[1]))

        threads = [threading.Thread(target=submit) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [a.status_code for a in answers] == [201] * 30
    ids = [uuid.UUID(a.json()["id"]) for a in answers]
    key = (lambda i: i.hex) if db.sqlite else (lambda i: i)
    with db.read() as session:
        for report_id in ids:
            found = session.execute(
                text(
                    "SELECT (SELECT count(*) FROM events WHERE report_id = :r AND kind = 'created'),"
                    " (SELECT count(*) FROM sla_clocks WHERE report_id = :r AND stage = 'dispatch'),"
                    " (SELECT count(*) FROM reports WHERE id = :r AND state = 'received')"
                ),
                {"r": key(report_id)},
            ).one()
            assert tuple(found) == (1, 1, 1)
        jobs = session.execute(text("SELECT count(*) FROM jobs WHERE kind = 'notify_reporter' AND status = 'pending'"))
        keys = session.execute(text("SELECT count(*) FROM idempotency_keys WHERE response_status = 201"))
        assert jobs.scalar() == 30 and keys.scalar() == 30


def test_the_raw_app_runs_at_paht_durability(city):
    store = Store(city, "commit-per-request")
    if store.dialect.sqlite:
        assert store.writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    else:
        assert store.writer.execute("SHOW synchronous_commit").fetchone()[0] == "on"


def test_the_raw_app_places_a_point_where_paht_does(city, db):
    """The raw app's area lookup (bench.raw.derived.place) agrees with paht.places over the benchmark's box."""
    rng, store = random.Random(3), Store(city, "commit-per-request")
    connection, placed = store.writer, 0
    try:
        if store.dialect.sqlite:
            connection.execute("BEGIN")
        with db.read() as session:
            report = session.scalar(select(Report.id).limit(1))  # any report: its place is rolled back
            for _ in range(300):
                lat, lon = round(rng.uniform(16.42, 16.50), 6), round(rng.uniform(107.55, 107.63), 6)
                area = area_for_point(session, lat, lon)
                connection.execute(
                    store.dialect.sql("DELETE FROM report_places WHERE report_id = ?"), (store.dialect.uid(report),)
                )
                assert derived.place(connection, store.dialect, report, lat, lon, datetime.now(UTC)) == (
                    area.id if area else NONE_KEY
                )
                placed += area is not None
    finally:
        connection.rollback() if not store.dialect.sqlite else connection.execute("ROLLBACK")
    assert 0 < placed < 300
