"""Searched list pages read by statements kept per shape (`KEYSET_PAGES`, `PUBLISHED_PAGES`) are the ORM's pages.

A search's statement is kept by how the index finds its words (`paht.search.engine.Match.shape`: collected from
the index, or each row probed, with a LIKE pattern per group on SQLite) and reused by later searches with only
the words' values. A shape that told two plans apart badly, or words left in the statement, would answer one
search with another's reports. Hypothesis draws callers, filters, words and both plans (the count that picks
one is made low or high) one after another in one process, so shapes are built and then reused.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paht.clock import set_now
from paht.models import Report
from paht.publishing import queries as public_queries
from paht.reports import queries
from paht.reports.listing import LISTED
from paht.search import engine
from paht.search.engine import Scope
from paht.search.queries import narrow
from tests import test_keyset_pages as keyset_pages
from tests.test_keyset_pages import ANCHOR, FILTERS, _callers

city = keyset_pages.city  # the generated city those tests list, as this module's fixture

WORDS = ["đường", "đèn đường", "Lê Lợi", "le loi", "nguy*", "Hue\u0301", "rác thải", '"Trần Hưng Đạo"', "zzzqqq"]


@pytest.fixture
def plans(monkeypatch):  # type: ignore[no-untyped-def]
    """`plans(n)`: words with at least `n` matches are probed row by row (the city is too small for the real
    threshold to pick that plan); forgets remembered counts, which depend on it."""

    def choose(threshold: int) -> None:
        monkeypatch.setattr(engine, "collect_limit", lambda indexed: threshold)
        engine._COUNTS.clear()

    return choose


def _ids(rows) -> list:  # type: ignore[no-untyped-def]
    return [row.id for row in rows]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_searched_staff_page_is_the_orms(city, plans, data) -> None:  # type: ignore[no-untyped-def]
    set_now(ANCHOR)
    plans(data.draw(st.sampled_from([1, 3, 10_000])))
    actor = data.draw(st.sampled_from(_callers(city)))
    filters = data.draw(FILTERS)
    filters = queries.ReportFilters(state=filters.state, organization_id=filters.organization_id,
                                    q=data.draw(st.sampled_from(WORDS)))  # fmt: skip
    limit = data.draw(st.integers(1, 30))
    cursor = None
    for _ in range(2):  # a first page and the next
        with city.read() as session:
            kept, next_kept = queries.list_visible(session, actor, filters, cursor=cursor, limit=limit, columns=LISTED)
            orm, next_orm = queries.list_visible(session, actor, filters, cursor=cursor, limit=limit)
        assert _ids(kept) == _ids(orm) and next_kept == next_orm, (actor.username, filters, cursor)
        if (cursor := next_kept) is None:
            break


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_searched_public_page_is_the_orms(city, plans, data) -> None:  # type: ignore[no-untyped-def]
    plans(data.draw(st.sampled_from([1, 3, 10_000])))
    words = data.draw(st.sampled_from(WORDS))
    category = data.draw(st.none() | st.integers(1, 8))
    limit = data.draw(st.integers(1, 30))
    filters = {"category_id": category, "organization_id": None, "published_from": None, "published_to": None}
    with city.read() as session:
        page, _ = public_queries.list_published(session, q=words, cursor=None, limit=limit, **filters)
        narrowed = narrow(session, public_queries.published_query(**filters), words, Scope.public)
        ordered = narrowed.order_by(Report.published_at.desc(), Report.id.desc()).limit(limit)
        expected = session.scalars(ordered.with_only_columns(Report.id)).all()
    assert _ids(page) == list(expected), (words, category)


def test_the_searches_find_something_by_both_plans(city, plans) -> None:  # type: ignore[no-untyped-def]
    """The properties above compare real pages: common words match many reports, each plan is taken, and the
    kept statements are few (one per plan and pattern count, not one per search)."""
    set_now(ANCHOR)
    ioc = _callers(city)[0]
    queries.KEYSET_PAGES.clear()
    found = {}
    for threshold in (1, 10_000):
        plans(threshold)
        for words in WORDS:
            with city.read() as session:
                rows, _ = queries.list_visible(
                    session, ioc, queries.ReportFilters(q=words), cursor=None, limit=50, columns=LISTED
                )
            found[threshold, words] = len(rows)
    assert found[1, "đường"] == found[10_000, "đường"] >= 20 and found[1, "zzzqqq"] == 0
    assert len(queries.KEYSET_PAGES._by_shape) <= 5  # collected; probed with 1 or 2 patterns (per engine: one)
