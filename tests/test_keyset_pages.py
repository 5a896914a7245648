"""The staff list's prepared pages (`paht.reports.queries.KEYSET_PAGES`) are the ORM's pages, shape by shape.

A statement kept by shape is reused for every later request of that shape with only its values; a shape
that failed to tell two statements apart, or a value left in the statement, would list another caller's or
another filter's reports. Hypothesis draws callers, filters, cursors and page sizes one after another in
one process, so that shapes are built and then reused with other values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.benchdata.load import generate
from paht.clock import set_now
from paht.enums import Channel
from paht.models import Organization, Report
from paht.prepared import Prepared, Shapes
from paht.reports import queries
from paht.reports.listing import LISTED
from paht.search.lists import staff_page
from paht.search.queries import SearchSort
from paht.workflow.states import ReportState

ANCHOR = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def city(database_url, settings, db):  # type: ignore[no-untyped-def]
    generate(database_url, settings, reports=150, seed=3, anchor=ANCHOR.replace(tzinfo=None))
    return db


def _callers(db) -> list[Actor]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        orgs = session.scalars(select(Organization.id).order_by(Organization.id)).all()
        reporter = session.scalar(select(Report.reporter_user_id).where(Report.reporter_user_id.is_not(None)))
    ioc = Actor(user_id=1, username="ioc", roles=frozenset({Role.ioc_operator}))
    handler = Actor(user_id=2, username="h", roles=frozenset({Role.handler}), organization_id=orgs[1],
                    readable_org_ids=frozenset({orgs[1]}))  # fmt: skip
    leader = Actor(user_id=3, username="l", roles=frozenset({Role.leader}), organization_id=orgs[0],
                   readable_org_ids=frozenset(orgs[:4]))  # fmt: skip
    citizen = Actor(user_id=reporter, username="c", roles=frozenset())
    nobody = Actor(user_id=None, username=None, roles=frozenset())
    return [ioc, handler, leader, citizen, nobody]


FILTERS = st.builds(
    queries.ReportFilters,
    state=st.none() | st.lists(st.sampled_from([s.value for s in ReportState]), min_size=1, max_size=3, unique=True),
    organization_id=st.none() | st.integers(1, 6),
    category_id=st.none() | st.integers(1, 8),
    channel=st.none() | st.sampled_from([c.value for c in Channel]),
    overdue=st.none() | st.booleans(),
    created_from=st.none() | st.integers(0, 400).map(lambda d: ANCHOR - timedelta(days=d)),
    created_to=st.none() | st.integers(0, 400).map(lambda d: ANCHOR - timedelta(days=d)),
)


def _orm_page(db, actor, filters, after, limit):  # type: ignore[no-untyped-def]
    """The same page through SQLAlchemy's own execution of the statement the shape was built from."""
    query = queries._keyset(queries.filtered_visible(actor, filters), queries._page_values(after, limit))
    with db.read() as session:
        return [tuple(row) for row in session.execute(query.with_only_columns(*LISTED)).all()]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_shape_lists_what_the_orm_lists(city, data) -> None:  # type: ignore[no-untyped-def]
    set_now(ANCHOR)
    actor = data.draw(st.sampled_from(_callers(city)))
    filters = data.draw(FILTERS)
    limit = data.draw(st.integers(1, 60))
    with city.read() as session:
        first, cursor = queries.list_visible(session, actor, filters, cursor=None, limit=limit, columns=LISTED)
    assert [tuple(r) for r in first] == _orm_page(city, actor, filters, None, limit)[:limit]
    if cursor is not None:  # the API reads such a page on a connection of its own, without a session
        with city.single_read() as connection:
            second, _ = queries.list_visible(connection, actor, filters, cursor=cursor, limit=limit, columns=LISTED)
        after = queries.decode_cursor(cursor)
        assert [tuple(r) for r in second] == _orm_page(city, actor, filters, after, limit)[:limit]
        assert not {r[0] for r in first} & {r[0] for r in second}


def test_statements_that_share_their_values_names_are_told_apart(city) -> None:  # type: ignore[no-untyped-def]
    """Every caller with every overdue choice and a few filters, in turn on one cache: the IOC and a caller who
    sees nothing, overdue or not, name the same values, and must still get their own statements."""
    set_now(ANCHOR)
    queries.KEYSET_PAGES.clear()  # start empty: the grid builds every shape here
    compared = 0
    for filters in (queries.ReportFilters(), queries.ReportFilters(state=["processing", "dispatched"])):
        for overdue in (None, True, False):
            for actor in _callers(city):
                shaped = queries.ReportFilters(state=filters.state, overdue=overdue)
                with city.read() as session:
                    rows, _ = queries.list_visible(session, actor, shaped, cursor=None, limit=40, columns=LISTED)
                expected = _orm_page(city, actor, shaped, None, 40)[:40]
                assert [tuple(r) for r in rows] == expected, (actor.username, shaped)
                compared += bool(expected)
    assert compared >= 12


def test_a_single_read_serves_only_pages_without_search_words(city) -> None:  # type: ignore[no-untyped-def]
    """`Database.single_read` has no session and no snapshot: a page with search words (ORM rows, more than one
    statement) refuses it by name rather than running half on a connection; the route asks `reads_once`."""
    set_now(ANCHOR)
    ioc = _callers(city)[0]
    searched = queries.ReportFilters(q="đường")
    assert queries.reads_once(queries.ReportFilters(state=["published"])) and not queries.reads_once(searched)
    with city.single_read() as connection:
        rows, _ = queries.list_visible(connection, ioc, queries.ReportFilters(), cursor=None, limit=5, columns=LISTED)
        assert len(rows) == 5
        with pytest.raises(TypeError, match="search words"):
            queries.list_visible(connection, ioc, searched, cursor=None, limit=5, columns=LISTED)
        with pytest.raises(TypeError, match="search words"):
            staff_page(connection, ioc, searched, sort=SearchSort.relevance, cursor=None, limit=5, cap=100)


def test_the_lists_find_something_to_compare(city) -> None:  # type: ignore[no-untyped-def]
    """The property above compares real pages: the callers see reports, and the filters narrow them."""
    set_now(ANCHOR)
    ioc, handler, leader, citizen, _ = _callers(city)
    with city.read() as session:
        for actor in (ioc, handler, leader, citizen):
            rows, _ = queries.list_visible(session, actor, queries.ReportFilters(), cursor=None, limit=200,
                                           columns=LISTED)  # fmt: skip
            assert rows, actor.username
        everything, _ = queries.list_visible(session, ioc, queries.ReportFilters(), cursor=None, limit=200,
                                             columns=LISTED)  # fmt: skip
        received, _ = queries.list_visible(session, ioc, queries.ReportFilters(state=["published"]), cursor=None,
                                           limit=200, columns=LISTED)  # fmt: skip
    assert 0 < len(received) < len(everything)
    assert {r.state for r in received} == {"published"}


def test_a_kept_statement_must_name_every_value_and_be_given_them_all(city) -> None:  # type: ignore[no-untyped-def]
    literal = select(Report.id).where(Report.urgent == True).limit(5)  # noqa: E712 (a literal parameter)
    with city.read() as session, pytest.raises(ValueError, match="name every parameter"):
        Shapes().rows(session, "literal", lambda: literal)
    named = queries._keyset(select(Report.id), queries._page_values(None, 5))
    with city.read() as session:
        assert len(Prepared(named, named_only=True).rows(session, limit=6, offset=0)) == 6
        with pytest.raises(ValueError, match="not given"):
            Prepared(named, named_only=True).rows(session, limit=6)  # the offset left out


def test_a_repeated_state_is_one_value_and_the_shapes_stay_few(city) -> None:  # type: ignore[no-untyped-def]
    """`?state=processing&state=processing…` lists what one `state=processing` lists, with the same statement;
    and however many shapes callers make, the cache keeps at most its limit."""
    set_now(ANCHOR)
    ioc = _callers(city)[0]
    queries.KEYSET_PAGES.clear()
    with city.read() as session:
        once, _ = queries.list_visible(
            session, ioc, queries.ReportFilters(state=["processing"]), cursor=None, limit=30, columns=LISTED
        )
        for times in range(2, 40):
            repeated, _ = queries.list_visible(
                session, ioc, queries.ReportFilters(state=["processing"] * times), cursor=None, limit=30, columns=LISTED
            )
            assert repeated == once
    assert once and len(queries.KEYSET_PAGES._by_shape) == 1
    small = Shapes(most=3)
    with city.read() as session:
        for n in range(1, 8):
            small.rows(
                session,
                n,
                lambda n=n: queries._keyset(select(Report.id), queries._page_values(None, n)),
                limit=n + 1,
                offset=0,
            )
            assert len(small._by_shape) <= 3
