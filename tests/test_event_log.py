"""The event log is append-only in the database itself: raw SQL cannot rewrite or erase history,
on SQLite and on PostgreSQL, while new events can still be added."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from paht.clock import utc_now
from paht.enums import EventKind
from paht.models import Event, Report
from tests.flow import Flow

APPEND_ONLY = "events are append-only"


@pytest.fixture
def report(client, personas, db) -> dict:
    flow = Flow(client, personas, db)
    report = flow.submit()
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    return report


def snapshot(db) -> list[tuple]:
    with db.read() as session:
        return [tuple(row) for row in session.execute(text("SELECT * FROM events ORDER BY id"))]


def refused(db, statement: str, **params: object) -> str:
    """Run `statement` in its own transaction; it must fail. Returns the database's message."""
    with pytest.raises(DBAPIError) as caught, db.engine.begin() as connection:
        connection.execute(text(statement), params)
    return str(caught.value.orig)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET kind = 'transition', to_state = 'published'",
        "UPDATE events SET payload = '{}' WHERE id = (SELECT MIN(id) FROM events)",
        "UPDATE events SET created_at = created_at WHERE id = (SELECT MAX(id) FROM events)",
        "DELETE FROM events",
        "DELETE FROM events WHERE id = (SELECT MAX(id) FROM events)",
    ],
)
def test_raw_updates_and_deletes_are_refused(db, report, statement):
    before = snapshot(db)
    assert len(before) >= 2
    assert APPEND_ONLY in refused(db, statement)
    assert snapshot(db) == before


def test_truncate_is_refused_on_postgresql(db, report):
    if db.sqlite:
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused above")
    before = snapshot(db)
    assert APPEND_ONLY in refused(db, "TRUNCATE events CASCADE")
    assert snapshot(db) == before


def test_the_orm_cannot_change_an_event_either(db, report):
    with db.read() as session:
        event_id = session.scalar(select(func.min(Event.id)))
    with pytest.raises(DBAPIError, match=APPEND_ONLY), db.write() as session:
        event = session.get(Event, event_id)
        assert event is not None
        event.payload = {"rewritten": True}
    with pytest.raises(DBAPIError, match=APPEND_ONLY), db.write() as session:
        session.delete(session.get(Event, event_id))
    with db.read() as session:
        assert session.get(Event, event_id).payload != {"rewritten": True}


def test_events_can_still_be_appended(db, report, client, personas):
    before = len(snapshot(db))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (report_id, kind, payload, created_at) "
                "VALUES (:report_id, :kind, :payload, :created_at)"
            ),
            {
                "report_id": report["id"].replace("-", "") if db.sqlite else report["id"],
                "kind": EventKind.contact_viewed.value,
                "payload": '{"purpose": "test"}',
                "created_at": utc_now().replace(tzinfo=None) if db.sqlite else utc_now(),
            },
        )
    with db.write() as session:
        report_row = session.scalar(select(Report).where(Report.code == report["code"]))
        assert report_row is not None
        session.add(Event(report_id=report_row.id, kind=EventKind.rated, payload={}, created_at=utc_now()))
    Flow(client, personas, db).act(report, "handler_a", "acknowledge")
    assert len(snapshot(db)) == before + 3
    timeline = client.get(f"/api/v1/reports/{report['id']}/events", headers=personas["ioc_operator"]).json()
    assert [e["kind"] for e in timeline][-3:] == ["contact_viewed", "rated", "transition"]
