"""A map view of a dense box walks the newest published reports instead of sorting the box's points
(issue 7, W5 at 1,000,000 reports): both ways give the same map, and on SQLite the walk really is one."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from sqlalchemy import event, select

from paht.config import Settings
from paht.db import Database
from paht.models import Category, Report
from paht.places import queries
from paht.workflow.states import ReportState
from tests.cities import shared_city

city = shared_city(reports=300, seed=29, anchor=datetime(2026, 11, 2))


@pytest.fixture
def database_url(city):  # type: ignore[no-untyped-def]
    return city[0]


def _views(db: Database) -> list[dict[str, str]]:
    """Boxes from a few streets to the whole city, around published points; some with filters."""
    with db.read() as session:
        points = session.execute(select(Report.lat, Report.lon).where(Report.state == ReportState.published)).all()
        category = session.scalar(select(Category.code).order_by(Category.id))
    rng = random.Random(5)
    views = [{"bbox": "100,10,110,20"}]
    for size in (0.002, 0.01, 0.02, 0.04, 0.2):
        lat, lon = rng.choice(points)
        views.append({"bbox": f"{lon - size / 2:.4f},{lat - size / 2:.4f},{lon + size / 2:.4f},{lat + size / 2:.4f}"})
    views += [{**views[0], "category": category}, {**views[0], "q": "đường"}, {**views[0], "lang": "en"}]
    return views


def test_walking_and_sorting_give_the_same_map(client, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    views = _views(db)
    monkeypatch.setattr(queries, "DENSE_BOX", 10**9)  # every box sparse: the band of longitudes, sorted
    sorted_maps = [client.get("/api/v1/public/reports.geojson", params=v) for v in views]
    monkeypatch.setattr(queries, "DENSE_SCALE", 0)
    monkeypatch.setattr(queries, "DENSE_BOX", 1)  # every non-empty box dense: newest first, walked
    walked_maps = [client.get("/api/v1/public/reports.geojson", params=v) for v in views]
    assert [m.status_code for m in walked_maps] == [200] * len(views)
    assert [m.json() for m in walked_maps] == [m.json() for m in sorted_maps]
    assert len(walked_maps[0].json()["features"]) > 50  # the whole city: a real list, not an empty one


def test_a_dense_box_is_walked_newest_first_on_sqlite(
    client, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.sqlite:
        pytest.skip("PostgreSQL chooses by its own statistics; the hint renders as the plain column")
    monkeypatch.setattr(queries, "DENSE_SCALE", 0)
    monkeypatch.setattr(queries, "DENSE_BOX", 1)
    seen: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if "ORDER BY reports.published_at DESC" in statement:
            seen.append((statement, parameters))

    event.listen(db.read_engine, "before_cursor_execute", remember)
    try:
        assert client.get("/api/v1/public/reports.geojson", params={"bbox": "100,10,110,20"}).status_code == 200
    finally:
        event.remove(db.read_engine, "before_cursor_execute", remember)
    (statement, parameters), *_ = seen
    assert "+reports.lon >=" in statement and "+reports.state =" in statement
    with db.read_engine.connect() as connection:
        plan = " ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "ix_reports_published_place" in plan and "TEMP B-TREE" not in plan, plan
