"""`paht.prepared`: a statement run on the driver's cursor gives exactly what `Connection.execute` gives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select

from paht.benchdata.load import generate
from paht.models import Attachment, Report
from paht.models.base import UTCDateTime
from paht.prepared import Prepared
from paht.publishing.queries import PUBLISHED_BY_CODE


@pytest.fixture
def city(database_url, settings):
    generate(database_url, settings, reports=120, seed=5, anchor=datetime(2026, 11, 2))
    return database_url


def _both(db, prepared: Prepared, **params):  # type: ignore[no-untyped-def]
    with db.on_loop() as connection:
        fast = prepared.rows(connection, **params)
        slow = connection.execute(prepared.statement, params).all()
    return fast, slow


def test_the_public_report_rows_are_the_same_values_and_types(city, db):
    with db.read() as session:
        codes = session.scalars(select(Report.code).where(Report.state == "published").limit(20)).all()
    assert len(codes) >= 5
    for code in codes:
        fast, slow = _both(db, PUBLISHED_BY_CODE, code=code)
        assert fast and [tuple(row) for row in fast] == [tuple(row) for row in slow]
        assert [type(v) for v in fast[0]] == [type(v) for v in slow[0]]  # UUIDs, aware datetimes, floats
        assert fast[0]._fields == tuple(slow[0]._fields)
    assert _both(db, PUBLISHED_BY_CODE, code="PA-NOTACODE") == ([], [])


def test_parameters_go_through_their_types(city, db):
    """An aware datetime bound to a UTC column (naive text on SQLite) and a UUID (hex on SQLite) select the
    same rows as SQLAlchemy's own execution."""
    since = Prepared(
        select(Report.id, Report.created_at)
        .where(Report.created_at >= bindparam("since", type_=UTCDateTime()))
        .order_by(Report.created_at, Report.id)
    )
    fast, slow = _both(db, since, since=datetime(2026, 10, 1, tzinfo=UTC) - timedelta(days=200))
    assert 0 < len(fast) < 120 and fast == slow
    assert isinstance(fast[0].id, uuid.UUID) and fast[0].created_at.tzinfo is not None
    with db.read() as session:
        with_photo = session.scalar(select(Attachment.report_id).limit(1))
    photos = Prepared(select(Attachment.id).where(Attachment.report_id == bindparam("report")).order_by(Attachment.id))
    found, expected = _both(db, photos, report=with_photo)
    assert found and found == expected


def test_expanding_lists_are_refused():
    with pytest.raises(ValueError, match="expanding"):
        Prepared(select(Report.id).where(Report.id.in_(bindparam("ids", expanding=True))))._compiled(_sqlite_dialect())


def _sqlite_dialect():  # type: ignore[no-untyped-def]
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def test_sqlite_text_is_read_as_aware_utc():
    """The stored forms a UTC column meets on SQLite: with and without microseconds, and text written with
    an offset of its own (by a hand-made import, say), which is converted, not relabelled."""
    process = UTCDateTime().result_processor(_sqlite_dialect(), None)
    assert process("2026-03-02 02:00:00.123456") == datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC)
    assert process("2026-03-02 02:00:00") == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert process("2026-03-02 09:00:00+07:00") == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert process("2026-03-02 09:00:00+07:00").utcoffset() == timedelta(0)
    assert process(None) is None
