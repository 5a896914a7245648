"""The load generator and the results: what a run counts, and how a result reads (no timing asserted).

Runs last seconds, not fractions, so that a loaded CI machine still answers at least one request in them.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from bench.workloads import Actions, Cycle, public_report_source

from bench import context as contexts
from bench import loadgen, report
from paht.benchdata.load import generate
from tests.live_server import serve


@pytest.fixture
def city(database_url, settings):
    # A seed whose 200 reports leave some open a month before the anchor (W7 needs reports to act on).
    generate(database_url, settings, reports=200, seed=10, anchor=datetime(2026, 11, 2))


def test_closed_and_open_loops_count_every_answer(city, app, db):
    context = contexts.build(db)
    with serve(app) as base:
        port = int(base.rsplit(":", 1)[1])
        closed = loadgen.run(
            lambda: loadgen.closed_loop(
                "127.0.0.1", port, public_report_source(context, 1), connections=3, seconds=3, warmup=0
            )
        )
        missing = Cycle("404", [loadgen.encode("GET", "/api/v1/public/reports/PA-00000000")])
        opened = loadgen.run(
            lambda: loadgen.open_loop("127.0.0.1", port, missing, rate=20, seconds=0.5, warmup=0.1, connections=2)
        )
    assert closed.count > 0 and closed.statuses() == {200: closed.count}
    assert closed.sent >= closed.count
    assert opened.offered_rate == 20 and set(opened.statuses()) == {404}
    figures = report.figures(opened, cpu_seconds=0.5, expected={"404": 404})
    assert figures["errors"] == 0 and figures["requests"] == opened.count


def test_workflow_lanes_never_collide(city, app, db):
    """W7 lanes own disjoint reports, so concurrent actions are all accepted; a report moves on and back."""
    context = contexts.build(db)
    assert context.action_pool, "the generated city has no report in processing or awaiting approval"
    source = Actions(context, seed=2)
    with serve(app) as base:
        port = int(base.rsplit(":", 1)[1])
        result = loadgen.run(
            lambda: loadgen.closed_loop(
                "127.0.0.1", port, source, connections=min(4, source.lane_count), seconds=3, warmup=0
            )
        )
    assert result.count > 0
    assert result.statuses() == {200: result.count}


def test_the_table_names_absent_endpoints_and_ratios():
    run = {"rps": 50.0, "p50_ms": 2.0, "p99_ms": 9.0, "cpu_s_per_1000": 0.5, "errors": 0}
    raw = run | {"rps": 100.0, "cpu_s_per_1000": 0.1}
    results = {
        "backend": "sqlite",
        "reports": 1000,
        "date": "2026-11-27",
        "git": "abc",
        "machine": {
            "fsync_probe": {"append_4k_fdatasync_per_s": 4400, "mean_us": 227.0},
            "durability": {},
            "versions": {},
        },
        "settings": {"repeats": 3, "seconds": 10, "connections": 32},
        "checks": [{"workload": "W2", "app": "raw", "ok": False, "detail": "/code: a ≠ b"}],
        "workloads": {
            "W2": {
                "title": "one public report",
                "present": True,
                "raw_apps": ["raw"],
                "median": {"paht": report.medians([run]), "raw": report.medians([raw])},
            },
            "W9": {"title": "Open311", "present": False},
        },
    }
    table = report.render(results)
    assert "| W2 one public report | 50 | 100 | 0.50 |" in table
    assert "| W9 Open311 | endpoint not present |" in table
    assert "4,400/s" in table and "FAILED W2 on raw: /code: a ≠ b" in table
