"""The lean path for GET /api/v1/public/reports/{code} (paht.publishing.fast) answers exactly what the route does.

Two apps over one generated city — the fast path on and off — get the same requests: every published report
(with and without photos, rated or not, in both languages, asked for in every way a language can be asked
for), codes typed the way citizens type them, and codes that are not published reports. Status, headers and
body bytes must be equal; only the request id and the date may differ.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paht.config import Settings
from paht.db import Database
from paht.fastpath import LeanFront
from paht.models import Attachment, Report
from paht.publishing.fast import FastPublicReads
from paht.workflow import ReportState
from tests.api.fast_paths import assert_same, city_fixtures
from tests.cities import shared_city

city = shared_city(reports=300, seed=23, anchor=datetime(2026, 11, 2))
LANGUAGES = [
    {},
    {"params": {"lang": "en"}},
    {"headers": {"Accept-Language": "en-US,en;q=0.8"}},
    {"headers": {"Cookie": "lang=en"}},
]


database_url, clients = city_fixtures("public_fast_path")


def _codes(db: Database) -> tuple[list[str], list[str]]:
    with db.read() as session:
        published = list(session.scalars(select(Report.code).where(Report.state == ReportState.published)))
        others = list(session.scalars(select(Report.code).where(Report.state != ReportState.published).limit(20)))
    return published, others


def _same(fast: TestClient, reference: TestClient, path: str, **options: object) -> int:
    answer, expected = fast.get(path, **options), reference.get(path, **options)  # type: ignore[arg-type]
    assert_same(answer, expected, path)
    return answer.status_code


def test_every_published_report_is_the_same_document_in_every_language(clients, db: Database) -> None:
    fast, reference = clients
    published, _ = _codes(db)
    with db.read() as session:
        with_photos = set(session.scalars(select(Report.code).join(Attachment, Attachment.report_id == Report.id)))
    assert len(published) > 50 and with_photos & set(published), "the city must publish reports, some with photos"
    for index, code in enumerate(published):
        assert _same(fast, reference, f"/api/v1/public/reports/{code}", **LANGUAGES[index % len(LANGUAGES)]) == 200


def test_codes_as_typed_and_codes_of_no_published_report(clients, db: Database) -> None:
    fast, reference = clients
    published, others = _codes(db)
    code = published[0]
    typed = [code.lower(), code.replace("-", ""), f"{code[:7]} {code[7:]}".lower(), code.replace("0", "O")]
    for path_code in typed:
        assert _same(fast, reference, f"/api/v1/public/reports/{path_code}") == 200
    for path_code in [*others, "PA-00000000", "not-a-code", "%20", "PA-" + "Z" * 40]:
        assert _same(fast, reference, f"/api/v1/public/reports/{path_code}") == 404
    assert _same(fast, reference, f"/api/v1/public/reports/{code}/extra") == 404


def _served(settings: Settings, method: str, path: str, root_path: str = "") -> tuple[bool, int | None]:
    """Through the lean front alone: (whether the request went on to the app behind it, the status it answered)."""
    status: list[int | None] = [None]

    async def send(message):  # type: ignore[no-untyped-def]
        if message["type"] == "http.response.start":
            status[0] = message["status"]

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": method, "path": path, "root_path": root_path, "query_string": b"", "headers": []}
    db = Database(settings.database_url)
    try:
        unanswered = asyncio.run(LeanFront(settings, [FastPublicReads(settings, db)]).answered(scope, receive, send))
    finally:
        db.dispose()
    return unanswered is not None, status[0]


def test_the_answer_covers_published_reports_and_passes_everything_else_on(settings: Settings, db: Database) -> None:
    published, others = _codes(db)
    assert _served(settings, "GET", f"/api/v1/public/reports/{published[0]}") == (False, 200)
    assert _served(settings, "GET", f"/api/v1/public/reports/{others[0]}") == (True, None)
    assert _served(settings, "POST", f"/api/v1/public/reports/{published[0]}") == (True, None)
    assert _served(settings, "GET", "/api/v1/public/reports") == (True, None)
    under_prefix = {"path": f"/paht/api/v1/public/reports/{published[0]}", "root_path": "/paht"}
    assert _served(settings, "GET", **under_prefix) == (False, 200)


def test_a_database_error_leaves_the_answer_to_the_route(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    empty = Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # no tables: the statement fails
    with caplog.at_level(logging.WARNING, logger="paht.publishing"):
        assert _served(empty, "GET", "/api/v1/public/reports/PA-7K3M9QXZ") == (True, None)
    assert "FastAPI answers instead" in caplog.text
