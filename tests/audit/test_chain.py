"""The event log is a hash chain: after real work it verifies, and a row edited, deleted or slipped in
behind the application's back is reported at exactly that place (reliability-anchors row 16 (c))."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from paht.audit.chain import GENESIS, row_hash, verify_chain
from paht.clock import utc_now
from paht.enums import EventKind
from paht.models import Event, Report
from tests.audit.tamper import behind_the_apps_back
from tests.flow import Flow

WRITERS = 6
EVENTS_PER_WRITER = 5


@pytest.fixture
def worked(client, personas, db) -> list[int]:
    """Two reports taken through real workflow steps; returns the event ids in order."""
    flow = Flow(client, personas, db)
    flow.to_state("published")
    flow.to_state("rejected")
    with db.read() as session:
        return list(session.scalars(select(Event.id).order_by(Event.id)))


def check(db):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return verify_chain(session)


def test_a_normal_workflow_leaves_a_valid_chain(db, worked):
    result = check(db)
    assert result.ok, result
    assert result.checked == len(worked) >= 8
    with db.read() as session:
        rows = session.execute(select(Event).order_by(Event.id)).scalars().all()
        assert rows[0].prev_hash == GENESIS
        for before, after in itertools.pairwise(rows):
            assert after.prev_hash == before.hash
            assert after.hash == row_hash(before.hash, after)


def test_an_edited_payload_is_reported_at_that_row(db, worked):
    target = worked[len(worked) // 2]
    behind_the_apps_back(db, "UPDATE events SET payload = :payload WHERE id = :id", payload='{"x": 1}', id=target)
    result = check(db)
    assert not result.ok
    assert result.first_broken_id == target
    assert result.checked == worked.index(target)
    assert "content" in (result.reason or "")


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(db, worked):
    """Rewriting a row and its own hash still breaks the link from the next row."""
    target = worked[3]
    with db.read() as session:
        row = session.get(Event, target)
        assert row is not None
        session.expunge(row)
    row.actor_role = "admin"
    forged = row_hash(row.prev_hash, row)
    behind_the_apps_back(
        db, "UPDATE events SET actor_role = 'admin', hash = :hash WHERE id = :id", hash=forged, id=target
    )
    result = check(db)
    assert (result.ok, result.first_broken_id) == (False, worked[4])
    assert "prev_hash" in (result.reason or "")


def test_a_deleted_row_is_reported_at_the_row_after_it(db, worked):
    target = worked[5]
    behind_the_apps_back(db, "DELETE FROM events WHERE id = :id", id=target)
    result = check(db)
    assert (result.ok, result.first_broken_id) == (False, worked[6])
    assert "deleted" in (result.reason or "")


def test_a_row_inserted_without_the_app_is_reported_and_the_app_carries_on(db, worked):
    report_id = _any_report_id(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO events (report_id, kind, payload, created_at) VALUES (:r, 'rated', '{}', :at)"),
            {
                "r": report_id.hex if db.sqlite else report_id,
                "at": utc_now().replace(tzinfo=None) if db.sqlite else utc_now(),
            },
        )
    with db.write() as session:
        session.add(Event(report_id=report_id, kind=EventKind.rated, payload={}, created_at=utc_now()))
    result = check(db)
    assert (result.ok, result.first_broken_id, result.checked) == (False, worked[-1] + 1, len(worked))
    assert "no hash" in (result.reason or "")


def test_the_chain_cannot_fork(db, worked):
    """Even a writer that skips the lock cannot give two rows the same predecessor."""
    with db.read() as session:
        last = session.execute(select(Event).order_by(Event.id.desc()).limit(1)).scalar_one()
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (report_id, kind, payload, created_at, prev_hash, hash) "
                "VALUES (:r, 'rated', '{}', :at, :prev, :hash)"
            ),
            {
                "r": last.report_id.hex if db.sqlite else last.report_id,
                "at": utc_now().replace(tzinfo=None) if db.sqlite else utc_now(),
                "prev": last.prev_hash,
                "hash": "f" * 64,
            },
        )


def test_concurrent_writers_keep_one_linear_chain(db, worked):
    report_id = _any_report_id(db)
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(EVENTS_PER_WRITER):
                with db.write() as session:
                    payload = {"writer": writer, "n": n}
                    session.add(Event(report_id=report_id, kind=EventKind.rated, payload=payload, created_at=utc_now()))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    result = check(db)
    assert result.ok, result
    assert result.checked == len(worked) + WRITERS * EVENTS_PER_WRITER
    with db.read() as session:
        distinct = session.scalar(select(func.count(func.distinct(Event.prev_hash))))
    assert distinct == result.checked


def _any_report_id(db):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(Report.id).limit(1))
