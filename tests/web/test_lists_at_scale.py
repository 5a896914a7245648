"""Console lists on 100,000 reports: keyset pages are exact and each page is one index walk, never a sort of all rows.

SQLite only, on purpose: its query plans are deterministic, so they can be asserted; PostgreSQL's depend on
statistics and are measured by the benchmark suite instead.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from paht.clock import utc_now
from paht.models import Report

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
COUNT = 100_000
STATES = ["received", "dispatched", "processing", "published", "published", "published", "rejected"]


@pytest.fixture
def many_reports(db):  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    start = utc_now() - timedelta(days=400)
    rows = [
        {
            "id": uuid.UUID(int=rng.getrandbits(128)),
            "code": f"PA-{i:08d}",
            "version": 1,
            "state": rng.choice(STATES),
            "channel": "app",
            "urgent": rng.random() < 0.05,
            "description": f"Phản ánh thử số {i}",
            "anonymous": False,
            "consent": True,
            # Some share a timestamp, so the id must break ties.
            "created_at": start + timedelta(seconds=(i // 3) * 347),
            "updated_at": start,
        }
        for i in range(COUNT)
    ]
    with db.write() as session:
        session.execute(insert(Report), rows)
    return rows


def _codes(html: str) -> list[str]:
    return re.findall(r'<a class="code" href="/console/reports/[^"]+">(PA-\d{8})</a>', html)


def _walk(visitor, url: str, pages: int) -> list[str]:  # type: ignore[no-untyped-def]
    codes: list[str] = []
    for _ in range(pages):
        page = visitor.get(url)
        assert page.status_code == 200
        codes += _codes(page.text)
        found = re.search(r'hx-get="(/console/reports\?[^"]*cursor=[^"]+)"', page.text)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    return codes


def test_keyset_pages_match_the_database_order_exactly(browser, db, many_reports):
    visitor = browser("ioc.operator")
    newest = _walk(visitor, "/console/reports", 4)
    ordered = sorted(many_reports, key=lambda r: (r["created_at"], str(r["id"]).replace("-", "")), reverse=True)
    assert newest == [r["code"] for r in ordered[:100]]
    received = _walk(visitor, "/console/reports?state=received&sort=oldest", 3)
    expected = [
        r for r in sorted(many_reports, key=lambda r: (r["created_at"], r["id"].hex)) if r["state"] == "received"
    ]
    assert received == [r["code"] for r in expected[:75]]


PAGES = [
    ("ioc.operator", "/console/reports"),
    ("ioc.operator", "/console/reports?state=published&sort=oldest"),
    ("ioc.operator", "/console/reports?state=dispatched"),
    ("sxd.handler", "/console/body/inbox"),
]


def test_each_page_is_an_index_walk_never_a_sort_of_the_whole_table(browser, db, many_reports):
    """The exact statements each page runs, replayed under EXPLAIN QUERY PLAN."""
    for username, url in PAGES:
        visitor = browser(username)
        statements: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if re.search(r"FROM reports\b", statement) and "LIMIT" in statement and "count(" not in statement:
                statements.append((statement, parameters))  # noqa: B023 — used before the next iteration

        event.listen(db.read_engine, "before_cursor_execute", capture)
        try:
            assert visitor.get(url).status_code == 200
        finally:
            event.remove(db.read_engine, "before_cursor_execute", capture)
        assert statements, f"{url} ran no paginated query"
        with db.read_engine.connect() as connection:
            for statement, parameters in statements:
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plan = " | ".join(row[-1] for row in rows)
                assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (url, plan)
                assert re.search(r"(SCAN|SEARCH) reports USING (COVERING )?INDEX ix_reports_", plan), (url, plan)
