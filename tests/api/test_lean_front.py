"""The lean answers are asked before any middleware (paht.fastpath.LeanFront): what they skip must not be
missed — the request id, CORS, telemetry — and a lean answer that fails must cost the caller nothing."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paht.config import Settings
from paht.db import Database
from paht.main import create_app
from paht.models import Report
from paht.publishing.fast import FastPublicReads
from paht.workflow import ReportState
from tests.api.fast_paths import assert_same, city_fixtures
from tests.cities import shared_city

city = shared_city(reports=120, seed=23, anchor=datetime(2026, 11, 2))
database_url, clients = city_fixtures("public_fast_path")
ALLOWED = "https://app.hue.gov.vn"


@pytest.fixture
def published(db: Database) -> str:
    with db.read() as session:
        return session.scalars(select(Report.code).where(Report.state == ReportState.published)).first()


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the public report's lean answer was asked for."""
    paths: list[str] = []
    original = FastPublicReads.answer

    async def counted(self, scope, path):  # type: ignore[no-untyped-def]
        paths.append(path)
        return await original(self, scope, path)

    monkeypatch.setattr(FastPublicReads, "answer", counted)
    return paths


def test_a_lean_answer_keeps_the_callers_request_id_or_makes_one(clients, published: str, asked: list[str]) -> None:
    fast, _ = clients
    path = f"/api/v1/public/reports/{published}"
    kept = fast.get(path, headers={"X-Request-ID": "portal-7f3a9c21"})
    made = fast.get(path, headers={"X-Request-ID": "bad id\twith tab"})
    assert asked == [path, path]
    assert kept.status_code == made.status_code == 200
    assert kept.headers["x-request-id"] == "portal-7f3a9c21"
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != "bad id\twith tab"


def test_a_failing_lean_answer_leaves_the_request_to_the_route(
    clients, published: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fast, reference = clients

    async def broken(self, scope, path):  # type: ignore[no-untyped-def]
        raise RuntimeError("a defect in the lean answer")

    monkeypatch.setattr(FastPublicReads, "answer", broken)
    path = f"/api/v1/public/reports/{published}"
    with caplog.at_level(logging.ERROR, logger="paht.fastpath"):
        assert_same(fast.get(path), reference.get(path), path)
    assert "lean answer failed; FastAPI answers instead" in caplog.text and "a defect" in caplog.text


def test_cross_origin_requests_get_the_cors_middlewares_answer(
    settings: Settings, db: Database, published: str, asked: list[str]
) -> None:
    path = f"/api/v1/public/reports/{published}"
    with TestClient(create_app(settings.model_copy(update={"cors_allowed_origins": [ALLOWED]}), db)) as client:
        cross = client.get(path, headers={"Origin": ALLOWED})
        assert asked == [] and cross.status_code == 200
        assert cross.headers["access-control-allow-origin"] == ALLOWED
        same_site = client.get(path)
        assert asked == [path] and "access-control-allow-origin" not in same_site.headers
        assert same_site.content == cross.content


def test_with_telemetry_every_request_passes_fastapi(settings: Settings, db: Database) -> None:
    assert create_app(settings, db, worker=False).lean is not None
    assert create_app(settings.model_copy(update={"telemetry": True}), db, worker=False).lean is None
    off = {"public_fast_path": False, "staff_list_fast_path": False, "submit_fast_path": False}
    assert create_app(settings.model_copy(update=off), db, worker=False).lean is None
