"""The lean path for plain pages of GET /api/v1/reports (paht.reports.fast) answers exactly what the route does.

Two apps over one generated city — the fast path on and off — get the same requests from every kind of
caller (the IOC, body handlers and leaders, a parent body's leader and viewer, citizens, no token, a token
that names nobody): plain filters and search words in every combination the workload and the consoles send,
the next pages their cursors lead to, and every way of writing a request that the fast path leaves to FastAPI
(words the route refuses, dates, unknown, repeated or oddly written parameters, bad cursors). Status, headers
and body bytes must be equal; only the request id and the date may differ.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paht.config import Settings
from paht.db import Database
from paht.main import create_app
from paht.models import Report
from paht.reports import fast as fast_layer
from paht.reports.fast import FastStaffList, plain_query
from paht.reports.queries import ReportFilters
from paht.search.lists import staff_page_json
from tests.api.fast_paths import assert_same, city_fixtures
from tests.cities import shared_city

city = shared_city(reports=400, seed=29, anchor=datetime(2026, 11, 2))
CALLERS = ["ioc_operator", "handler_a", "leader_a", "parent_leader_b", "viewer_parent_b", "citizen", "admin"]


database_url, clients = city_fixtures("staff_list_fast_path")


def _same(fast: TestClient, reference: TestClient, query: str, headers: dict[str, str]) -> tuple[int, dict]:
    path = f"/api/v1/reports?{query}" if query else "/api/v1/reports"
    answer, expected = fast.get(path, headers=headers), reference.get(path, headers=headers)
    assert_same(answer, expected, path)
    return answer.status_code, answer.json()


def _busiest(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        rows = session.execute(
            select(Report.state, Report.current_organization_id, func.count())
            .where(Report.current_organization_id.is_not(None))
            .group_by(Report.state, Report.current_organization_id)
            .order_by(func.count().desc())
            .limit(6)
        ).all()
    return [(state, org) for state, org, _ in rows]


def test_plain_pages_and_the_pages_after_them_are_the_routes(clients, db: Database, personas, monkeypatch) -> None:
    fast, reference = clients
    answered = []  # pages the layer wrote itself: the fast path is taken, not only fallen back from
    monkeypatch.setattr(fast_layer, "staff_page_json", lambda *a, **k: answered.append(1) or staff_page_json(*a, **k))
    busiest = _busiest(db)
    queries = ["", "limit=7", "state=processing", "state=received&state=dispatched&limit=3", "channel=app&limit=5"]
    queries += [urlencode({"state": state, "organization_id": org, "limit": 20}) for state, org in busiest]
    queries += [f"organization_id={busiest[0][1]}&lang=en", "category_id=3&limit=4", "limit=200", "q="]
    # Search words (W4): a phrase, its words apart, a prefix, NFD, a word with no match, with filters.
    words = ["đèn đường", "Le Loi", "nguy*", "Hu\u1ebf", "hue\u0301", "zzzqqq", "rác thải"]
    queries += [urlencode({"q": w, "limit": 10}) for w in words]
    queries += [urlencode({"q": "đường", "state": busiest[0][0], "organization_id": busiest[0][1], "limit": 5})]
    walked = 0
    for caller, query in itertools.product(CALLERS, queries):
        status, page = _same(fast, reference, query, personas[caller])
        assert status == 200, (caller, query)
        for _ in range(3):  # follow the cursor: keyset pages, then the end of the list
            if page["next_cursor"] is None:
                break
            status, page = _same(fast, reference, f"{query}&cursor={page['next_cursor']}", personas[caller])
            walked += 1
    assert walked > 20, "the city must give the callers lists longer than a page"
    assert len(answered) == len(CALLERS) * len(queries) + walked


def test_what_the_fast_path_leaves_to_the_route_is_answered_the_same(clients, db: Database, personas) -> None:
    fast, reference = clients
    statuses = set()
    odd = [
        "q=%21%21", "q=%20", f"q={'a' * 201}", "q=a&q=b", "q=đèn&sort=relevance",
        "created_from=2026-01-01", "overdue=true", "sort=newest", "state=bogus", "state=",
        "organization_id=007", "organization_id=-1", "organization_id=x", "organization_id=%2B3", "limit=0",
        "limit=201", "limit=5&limit=6", "channel=fax", "cursor=not-a-cursor", "cursor=", "unknown=1",
        "organization_id=1&organization_id=2", "lang=en&lang=vi",
    ]  # fmt: skip
    for caller, query in itertools.product(["ioc_operator", "leader_a", "citizen"], odd):
        statuses.add(_same(fast, reference, query, personas[caller])[0])
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        statuses.add(_same(fast, reference, "limit=5", headers)[0])
    assert {200, 401, 422} <= statuses


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", ReportFilters()),
        (b"state=received&state=held&organization_id=9", ReportFilters(state=["received", "held"], organization_id=9)),
        (b"channel=hotline&category_id=4&lang=en", ReportFilters(channel="hotline", category_id=4)),
        (b"q=%C4%91%C3%A8n+nguy*&state=published", ReportFilters(state=["published"], q="đèn nguy*")),
    ],
)  # fmt: skip
def test_plain_queries_become_the_routes_filters(query: bytes, expected: ReportFilters) -> None:
    page = plain_query(query)
    assert page is not None and page.filters == expected and page.limit == 50 and page.cursor is None


def test_the_answer_is_installed_only_when_asked(settings: Settings, db: Database) -> None:
    def answers(app):  # type: ignore[no-untyped-def]
        return [type(answer) for answer in app.lean.answers] if app.lean is not None else []

    assert FastStaffList in answers(create_app(settings, db, worker=False))
    off = settings.model_copy(update={"staff_list_fast_path": False})
    assert FastStaffList not in answers(create_app(off, db, worker=False))
