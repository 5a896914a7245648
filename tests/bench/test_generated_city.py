"""`paht bench-data`: generated reports are rows the real services would have written, and the API serves them."""

from __future__ import annotations

import unicodedata
import uuid
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select, text

from paht.auth.service import issue_token
from paht.benchdata.load import generate
from paht.models import Organization, Report, User
from tests.cities import shared_city

ANCHOR = datetime(2026, 11, 2)
REPORTS = 400


generated_city = shared_city(reports=REPORTS, seed=5, anchor=ANCHOR)


@pytest.fixture
def database_url(generated_city):  # type: ignore[no-untyped-def]
    """Every test of this module works on the module's one generated city (see tests/cities.py)."""
    return generated_city[0]


@pytest.fixture
def city(generated_city):  # type: ignore[no-untyped-def]
    summary = generated_city[1]
    assert summary.rows["reports"] == REPORTS
    return summary


def _token(db, username: str) -> dict[str, str]:
    with db.write() as session:
        user = session.scalar(select(User).where(User.username == username))
        token, _ = issue_token(session, user=user, ttl_hours=1)
    return {"Authorization": f"Bearer {token}"}


def _sql(db, query: str, **params):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(text(query), params).all()


def test_timelines_are_consistent_with_the_workflow(city, db):
    states = Counter(dict(_sql(db, "SELECT state, count(*) FROM reports GROUP BY state")))
    assert states["published"] > REPORTS / 2
    assert {"rejected", "processing"} <= set(states)
    # version = 1 + one per workflow step, exactly as the version column counts updates
    mismatched = _sql(
        db,
        "SELECT r.code FROM reports r WHERE r.version <> 1 + "
        "(SELECT count(*) FROM events e WHERE e.report_id = r.id AND e.kind = 'transition')",
    )
    assert mismatched == []
    # one running clock at most, none on a closed report, and every report starts with its 'created' event
    assert (
        _sql(db, "SELECT report_id FROM sla_clocks WHERE stopped_at IS NULL GROUP BY report_id HAVING count(*) > 1")
        == []
    )
    closed_running = _sql(
        db,
        "SELECT r.code FROM reports r JOIN sla_clocks c ON c.report_id = r.id AND c.stopped_at IS NULL "
        "WHERE r.state IN ('published', 'rejected', 'duplicate')",
    )
    assert closed_running == []
    first_kinds = _sql(
        db, "SELECT e.kind FROM events e WHERE e.id = (SELECT min(id) FROM events x WHERE x.report_id = e.report_id)"
    )
    assert {k for (k,) in first_kinds} == {"created"}
    published = _sql(db, "SELECT count(*) FROM reports WHERE state = 'published' AND public_result IS NOT NULL")
    assert published[0][0] == states["published"]
    breached = _sql(db, "SELECT count(*) FROM events WHERE kind = 'sla_breached'")[0][0]
    escalations = _sql(db, "SELECT count(*) FROM jobs WHERE kind = 'escalate'")[0][0]
    assert breached == escalations > 0
    told = "SELECT count(*) FROM jobs WHERE kind = 'notify_reporter' AND CAST(payload AS TEXT) LIKE '%duplicate_of%'"
    assert _sql(db, told)[0][0] == states["duplicate"] > 0  # the dispatching hook's notice, as on a real duplicate
    late = _sql(db, "SELECT count(*) FROM assignments WHERE ack_on_time = false")[0][0]
    on_time = _sql(db, "SELECT count(*) FROM assignments WHERE ack_on_time = true")[0][0]
    assert late > 0 and on_time > late


def test_text_is_vietnamese_nfc_with_hue_streets(city, db):
    descriptions = [d for (d,) in _sql(db, "SELECT description FROM reports")]
    assert all(unicodedata.is_normalized("NFC", d) for d in descriptions)
    assert sum("Huế" in a for (a,) in _sql(db, "SELECT address FROM reports")) == REPORTS
    assert any("Lê Lợi" in d or "Trần Hưng Đạo" in d or "Nguyễn Huệ" in d for d in descriptions)


def test_the_api_serves_generated_reports(city, db, client, personas):
    with db.read() as session:
        published = session.scalar(select(Report).where(Report.state == "published", Report.rating.is_not(None)))
        processing = session.scalar(select(Report).where(Report.state == "processing").order_by(Report.created_at))
        body = session.get(Organization, processing.current_organization_id)
    public = client.get(f"/api/v1/public/reports/{published.code}")
    assert public.status_code == 200, public.text
    assert public.json()["steps"]["published_at"] is not None and public.json()["rating"]["count"] == 1

    listed = client.get(
        f"/api/v1/reports?state=processing&organization_id={body.id}&limit=5", headers=personas["ioc_operator"]
    )
    assert listed.status_code == 200
    assert listed.json()["items"] and {i["state"] for i in listed.json()["items"]} == {"processing"}

    events = client.get(f"/api/v1/reports/{processing.id}/events", headers=personas["ioc_operator"]).json()
    assert events[0]["kind"] == "created"
    assert "acknowledge" in [e["action"] for e in events]

    handler = _token(db, f"{body.code.lower()}.handler")
    done = client.post(
        f"/api/v1/reports/{processing.id}/actions/submit_result", json={"result": "Đã khắc phục."}, headers=handler
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "awaiting_approval"
    assert done.json()["version"] == processing.version + 1


def test_search_and_statistics_are_filled(city, db, client):
    street_hits = client.get("/api/v1/public/reports", params={"q": "duong", "limit": 5})
    assert street_hits.status_code == 200
    assert street_hits.json()["items"], "the search index covers the generated reports"
    # The rollup over every area and category: detail rows are counted again in the rollups.
    stats = _sql(db, "SELECT sum(received) FROM stats_daily WHERE grain = 'm' AND area_key = -1 AND category_key = -1")
    assert stats[0][0] == REPORTS
    assert [f.status for f in city.fillers] == ["filled"]


def test_same_seed_same_city(tmp_path, settings):
    codes = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        generate(url, settings.model_copy(update={"database_url": url}), reports=60, seed=9, anchor=ANCHOR)
        engine_codes = _codes(url)
        codes.append(engine_codes)
    assert codes[0] == codes[1] and len(codes[0]) == 60


def _codes(url: str) -> list[tuple[str, str, str]]:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT code, state, description FROM reports ORDER BY created_at")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_report_ids_are_time_ordered_uuids_the_orm_reads(city, db):
    """As the app makes them (paht.models.ids): version 7, carrying the report's creation time."""
    with db.read() as session:
        rows = session.execute(select(Report.id, Report.created_at)).all()
    assert len(rows) == REPORTS
    for report_id, created_at in rows:
        assert isinstance(report_id, uuid.UUID) and report_id.version == 7
        assert report_id.int >> 80 == int(created_at.timestamp() * 1000)


def test_the_command_line_generates_and_refuses_a_bad_date(tmp_path):
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'city.sqlite3'}"
    env = os.environ | {"PAHT_DATABASE_URL": url, "PAHT_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "paht.cli", "bench-data", "--reports", "40", "--anchor"]
    made = subprocess.run([*command, "2026-11-02"], env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    assert "40 reports" in made.stdout and "statistics: filled" in made.stdout
    assert len(_codes(url)) == 40
    bad = subprocess.run([*command, "hôm qua"], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "không phải ngày hợp lệ" in bad.stdout
