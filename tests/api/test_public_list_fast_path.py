"""The lean answer for plain pages of GET /api/v1/public/reports (paht.publishing.fast.FastPublicList) answers
exactly what the route does.

Two apps over one generated city — the public fast path on and off — get the same requests: plain pages, pages by
category and body, search words (a phrase, words apart, a prefix, NFD, no match), both languages, and the pages
after them by cursor; then what the answer must leave to the route (dates, sort, unknown, repeated or oddly
written parameters, words the route refuses, bad cursors). Status, headers and bytes must be equal; only the
request id and the date may differ.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paht.db import Database
from paht.models import Report
from paht.publishing import fast as fast_answers
from paht.search.lists import public_page_json
from paht.workflow import ReportState
from tests.api.fast_paths import assert_same, city_fixtures
from tests.cities import shared_city

city = shared_city(reports=300, seed=23, anchor=datetime(2026, 11, 2))
database_url, clients = city_fixtures("public_fast_path")
PATH = "/api/v1/public/reports"


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per page the lean answer read itself."""
    pages: list[int] = []
    monkeypatch.setattr(fast_answers, "public_page_json", lambda *a, **k: pages.append(1) or public_page_json(*a, **k))
    return pages


def _same(fast: TestClient, reference: TestClient, query: str, **options: object) -> tuple[int, dict]:
    path = f"{PATH}?{query}" if query else PATH
    answer, expected = fast.get(path, **options), reference.get(path, **options)  # type: ignore[arg-type]
    assert_same(answer, expected, path)
    return answer.status_code, answer.json()


def _busiest(db: Database) -> tuple[int, int]:
    """The category and the body with the most published reports."""

    def most_published(column):  # type: ignore[no-untyped-def]
        where = (Report.state == ReportState.published, column.is_not(None))
        return select(column).where(*where).group_by(column).order_by(func.count().desc())

    with db.read() as session:
        category = session.scalars(most_published(Report.category_id)).first()
        body = session.scalars(most_published(Report.current_organization_id)).first()
    return category, body


def test_plain_pages_and_the_pages_after_them_are_the_routes(clients, db: Database, answered: list[int]) -> None:
    fast, reference = clients
    category, body = _busiest(db)
    queries = ["", "limit=7", "limit=200", "lang=en&limit=5", f"category_id={category}", f"organization_id={body}"]
    queries += [f"category_id={category}&organization_id={body}&limit=3", "q=", "category_id=999999"]
    words = ["đèn đường", "Le Loi", "nguy*", "Hu\u1ebf", "hue\u0301", "zzzqqq", "rác thải"]
    queries += [urlencode({"q": w, "limit": 10}) for w in words]
    queries += [urlencode({"q": "đường", "category_id": category, "limit": 5})]
    walked = 0
    for index, query in enumerate(queries):
        options = {"headers": {"Accept-Language": "en-US"}} if index % 4 == 3 else {}
        status, page = _same(fast, reference, query, **options)
        assert status == 200, query
        for _ in range(3):  # follow the cursor: keyset pages, then the end of the list
            if page["next_cursor"] is None:
                break
            status, page = _same(fast, reference, f"{query}&cursor={page['next_cursor']}", **options)
            walked += 1
    assert walked > 5, "the city must publish more than a page"
    assert len(answered) == len(queries) + walked


def test_what_the_answer_leaves_to_the_route_is_answered_the_same(clients, answered: list[int]) -> None:
    fast, reference = clients
    odd = [
        "q=%21%21", "q=%20", f"q={'a' * 201}", "q=a&q=b", "q=đèn&sort=relevance", "sort=newest",
        "published_from=2026-01-01T00:00:00Z", "published_to=2026-12-01", "state=published", "channel=app",
        "category_id=007", "category_id=-1", "category_id=x", "organization_id=%2B3", "limit=0", "limit=201",
        "limit=5&limit=6", "cursor=not-a-cursor", "cursor=", "unknown=1", "lang=en&lang=vi",
    ]  # fmt: skip
    statuses = {_same(fast, reference, query)[0] for query in odd}
    assert statuses == {200, 422} and answered == []
