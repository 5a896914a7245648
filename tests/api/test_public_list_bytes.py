"""The public list (GET /api/v1/public/reports) is written by orjson from the documents (paht.responses.plain_json),
not through its pydantic model: every page must be the bytes pydantic writes for that page's model."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from paht.config import Settings
from paht.db import Database
from paht.main import create_app
from paht.publishing.schemas import PublicReportPage
from paht.responses import json_bytes
from tests.cities import shared_city

city = shared_city(reports=300, seed=23, anchor=datetime(2026, 11, 2))


@pytest.fixture
def database_url(city):  # type: ignore[no-untyped-def]
    return city[0]


def _as_pydantic_writes(body: bytes) -> bytes:
    return json_bytes(PublicReportPage.model_validate_json(body))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lang": "en", "limit": 7},
        {"q": "đường", "limit": 20},
        {"q": "rac thai", "lang": "en"},
        {"sort": "relevance", "q": "nước"},
        {"q": "no such words anywhere"},
    ],
)
def test_every_page_is_what_pydantic_writes_for_it(settings: Settings, db: Database, params: dict) -> None:
    with TestClient(create_app(settings, db, worker=False)) as client:
        response, pages, seen = client.get("/api/v1/public/reports", params=params), 0, 0
        while True:
            assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
            assert response.content == _as_pydantic_writes(response.content), params
            page = response.json()
            pages, seen = pages + 1, seen + len(page["items"])
            if page["next_cursor"] is None or pages == 4:
                break
            response = client.get("/api/v1/public/reports", params={**params, "cursor": page["next_cursor"]})
    if "no such" not in params.get("q", ""):
        assert seen > 0, params
