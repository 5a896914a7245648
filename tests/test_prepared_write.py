"""`paht.prepared.Write`: an INSERT or UPDATE run on the driver's cursor writes what `Session.execute` writes,
raises what it raises, and sees the session's pending objects as it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from paht.models import IdempotencyKey, Report
from paht.prepared import Prepared, Write, insert_object

_KEYS = IdempotencyKey.__table__
_INSERT = Write(insert(_KEYS))
_STORE = Write(
    update(_KEYS)
    .where(_KEYS.c.scope == bindparam("p_scope"), _KEYS.c.key == bindparam("p_key"))
    .values(response_status=bindparam("p_status"), response_body=bindparam("p_body"), locked_until=None)
)
AT = datetime(2026, 11, 30, 8, 15, 30, 123456, tzinfo=UTC)


def _row(key: str, **more: object) -> dict[str, object]:
    return (
        {"scope": "test", "key": key, "request_hash": "h" * 64, "locked_until": AT + timedelta(minutes=1)}
        | {"created_at": AT}
        | more
    )


def _stored(session, key: str):  # type: ignore[no-untyped-def]
    found = session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key)).one()
    return (found.scope, found.request_hash, found.locked_until, found.created_at, found.response_status)


def test_an_insert_and_an_update_write_what_session_execute_writes(db):
    with db.write() as session:
        assert _INSERT.run(session, _row("fast")) == 1
        session.execute(insert(_KEYS), _row("slow"))
        assert _STORE.run(session, {"p_scope": "test", "p_key": "fast", "p_status": 201, "p_body": {"code": "Hà Nội"}})
        session.execute(
            _STORE.statement, {"p_scope": "test", "p_key": "slow", "p_status": 201, "p_body": {"code": "Hà Nội"}}
        )
    with db.read() as session:
        fast, slow = _stored(session, "fast"), _stored(session, "slow")
        assert fast == slow == ("test", "h" * 64, None, AT, 201)  # the aware datetime, to the microsecond
        bodies = session.scalars(select(IdempotencyKey.response_body).order_by(IdempotencyKey.key)).all()
        assert bodies == [{"code": "Hà Nội"}, {"code": "Hà Nội"}]  # JSON through the column's own type


def test_a_list_is_one_executemany_and_the_count_is_the_rows_changed(db):
    with db.write() as session:
        assert _INSERT.run(session, [_row("a"), _row("b"), _row("c")]) == 3
        assert _STORE.run(session, {"p_scope": "test", "p_key": "none", "p_status": 201, "p_body": {}}) == 0
        assert _STORE.run(session, {"p_scope": "test", "p_key": "b", "p_status": 409, "p_body": {}}) == 1
    with db.read() as session:
        assert [_stored(session, k)[-1] for k in "abc"] == [None, 409, None]


def test_a_duplicate_key_is_sqlalchemys_integrity_error(db):
    with db.write() as session:
        _INSERT.run(session, _row("once"))
    with pytest.raises(IntegrityError), db.write() as session:
        _INSERT.run(session, _row("once"))
    with db.read() as session:
        assert session.scalar(select(IdempotencyKey.key).where(IdempotencyKey.key == "once")) == "once"


def test_pending_objects_are_flushed_first_unless_autoflush_is_off(db):
    with db.write() as session:
        session.add(IdempotencyKey(**_row("pending")))
        with session.no_autoflush:
            assert _STORE.run(session, {"p_scope": "test", "p_key": "pending", "p_status": 201, "p_body": {}}) == 0
        assert _STORE.run(session, {"p_scope": "test", "p_key": "pending", "p_status": 201, "p_body": {}}) == 1


def test_a_column_filled_in_by_python_or_a_parameter_not_given_is_refused(db):
    with pytest.raises(ValueError, match="no Python-side defaults"), db.write() as session:
        Write(insert(Report.__table__)).run(session, {"code": "PA-00000001"})  # the id comes from new_id()
    with pytest.raises(ValueError, match="not given"), db.write() as session:
        _STORE.run(session, {"p_scope": "test", "p_status": 201, "p_body": {}})


def test_an_insert_returning_gives_its_row_and_the_driver_errors_are_sqlalchemys(db):
    returning = Prepared(
        insert(_KEYS)
        .values(
            scope=bindparam("scope"),
            key=bindparam("key"),
            request_hash=bindparam("request_hash"),
            created_at=bindparam("created_at", type_=_KEYS.c.created_at.type),
        )
        .returning(_KEYS.c.key, _KEYS.c.created_at)
    )
    values = {"scope": "test", "key": "back", "request_hash": "h", "created_at": AT}
    with db.write() as session:
        assert returning.rows(session, **values) == [("back", AT)]  # the aware datetime, read back
    with pytest.raises(IntegrityError), db.write() as session:
        returning.rows(session, **values)


def test_an_object_inserted_plainly_is_persistent_loads_nothing_and_updates_by_its_version(db):
    seen: list[str] = []
    with db.write() as session:
        report = Report(
            code="PA-PLAIN001", state="received", channel="app", description="Đèn hỏng", created_at=AT, updated_at=AT
        )
        insert_object(session, report, Write(insert(Report.__table__)))
        assert report in session and report not in session.new  # persistent: no second INSERT at the flush
        event.listen(session.connection(), "before_cursor_execute", lambda *args: seen.append(args[2]))
        assert (report.version, report.urgent, report.public_title, report.closed_at) == (1, False, None, None)
        assert seen == []  # every column was set: nothing is loaded back
        report.state = "processing"
        session.flush()
        assert [s.split()[0] for s in seen] == ["UPDATE"] and report.version == 2
    with db.read() as session:
        stored = session.get(Report, report.id)
        assert (stored.state, stored.version, stored.description, stored.created_at) == (
            "processing",
            2,
            "Đèn hỏng",
            AT,
        )
