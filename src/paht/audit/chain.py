"""The event log as a hash chain: each row's `hash` covers its content and the previous row's hash.

hash = SHA-256(prev_hash + canonical JSON of the row), in id order over the whole table, starting from
GENESIS. Editing a row breaks its own hash; deleting a row breaks the `prev_hash` link of the next one.
(Removing the newest rows leaves a shorter valid chain: compare `checked` with a count kept elsewhere,
e.g. the backup manifest, to notice that.)

Every Event added to a Session goes through `_chain_new_events`, a `before_flush` hook on every Session, so no
caller can forget it; `append` writes one event without the unit of work (a submission's) and links it the same
way. Both give new events their ids themselves so that chain order is id order:
- SQLite: writers hold the database lock from BEGIN IMMEDIATE, so reading the tip is already safe.
- PostgreSQL: a transaction-level advisory lock serialises event writers from their first event flush
  to commit. The cost: transactions that write events (every workflow step, every audited read)
  run one at a time for that stretch; other writes are not affected.
A unique index on `prev_hash` makes a fork impossible even for a writer that bypasses the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from paht.models import Event
from paht.prepared import Prepared, Write, flush_pending, insert_object

GENESIS = "0" * 64
# pg_advisory_xact_lock key for "append to the event chain" ("paht" in ASCII).
CHAIN_LOCK_KEY = 0x70616874
# The columns the hash covers, in this order (prev_hash and hash themselves excluded).
HASHED_FIELDS = (
    "id",
    "report_id",
    "kind",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_role",
    "organization_id",
    "assignment_id",
    "payload",
    "created_at",
)
VERIFY_BATCH = 1000


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("event times must be timezone-aware UTC")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, int | str):
        return value
    return str(value)  # UUIDs


def canonical_content(row: Any) -> str:
    """The row's content as canonical JSON: sorted keys, no spaces, UTF-8, payload as stored JSON."""
    content = {name: _plain(getattr(row, name)) for name in HASHED_FIELDS if name != "payload"}
    # A round trip through JSON gives exactly what the JSON column stores (tuples → lists, int keys → str).
    content["payload"] = json.loads(json.dumps(row.payload or {}))
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row: Any) -> str:
    """The hash a row must carry after `prev_hash`. `row` is an Event or any object with its fields."""
    return hashlib.sha256((prev_hash + canonical_content(row)).encode("utf-8")).hexdigest()


# -- writing ------------------------------------------------------------------------------------


def _new_events(session: Session) -> list[Event]:
    fresh = [obj for obj in session.new if isinstance(obj, Event)]
    return sorted(fresh, key=lambda e: inspect(e).insert_order)


# Built once, on the table (plain rows, no ORM loading): the chain reads them under its lock on every flush
# that adds events.
_EVENTS = Event.__table__
# Run on the driver's cursor (paht.prepared): every submission and workflow step reads the tip on SQLite.
_NEWEST = Prepared(select(_EVENTS.c.id, _EVENTS.c.hash).order_by(_EVENTS.c.id.desc()).limit(1))
_NEWEST_HASHED = select(_EVENTS.c.hash).where(_EVENTS.c.hash.is_not(None)).order_by(_EVENTS.c.id.desc()).limit(1)
# PostgreSQL: the newest row and the new rows' ids from the sequence, in one statement. Every round trip made
# under the chain's lock is one more wait for every other writer (and, in a busy process, one more wait for
# the GIL before the holder goes on). The lock itself stays a statement of its own: a statement's snapshot is
# taken when it starts, so a tip read in the statement that waited for the lock could predate the last
# holder's commit.
_TIP_AND_IDS = text(
    "SELECT tip.id, tip.hash, nextval(pg_get_serial_sequence('events', 'id')) AS new_id "
    "FROM generate_series(1, :n) LEFT JOIN (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1) AS tip ON true"
)


def _hash_to_link(session: Session, tip_id: int | None, tip_hash: str | None) -> str | None:
    """The hash the next row links to: the newest row's, or (rows inserted behind the app's back, a legacy
    import, the benchmark's bulk load, carry none) the newest hashed row's.

    The newest row is nearly always one the app hashed, so it is read first by the primary key: asking the
    database straight away for the newest row *with* a hash let PostgreSQL's planner, seeing a table of
    mostly unhashed imported rows, scan the whole table under the chain lock (42 ms at 190,000 events: every
    write waited). `verify_chain` reports the unhashed rows; the chain itself carries on past them.
    """
    if tip_id is None or tip_hash is not None:
        return tip_hash
    return session.scalar(_NEWEST_HASHED)


def _tip_and_ids(session: Session, count: int) -> tuple[str | None, list[int]]:
    """The hash the first new row links to, and ids for the new rows in chain order: the sequence on
    PostgreSQL (under the chain lock), after the highest id on SQLite (whose writers hold the database lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
        rows = session.execute(_TIP_AND_IDS, {"n": count}).all()
        return _hash_to_link(session, rows[0].id, rows[0].hash), sorted(row.new_id for row in rows)
    newest = next(iter(_NEWEST.rows(session)), None)
    tip_id, tip_hash = (newest.id, newest.hash) if newest is not None else (None, None)
    first = (tip_id or 0) + 1
    return _hash_to_link(session, tip_id, tip_hash), list(range(first, first + count))


def _chain_new_events(session: Session, _flush_context: object, _instances: object) -> None:
    fresh = _new_events(session)
    if not fresh:
        return
    tip_hash, ids = _tip_and_ids(session, len(fresh))
    _link(fresh, tip_hash, ids)


def _link(fresh: list[Event], tip_hash: str | None, ids: list[int]) -> None:
    prev_hash = tip_hash or GENESIS
    for new_event, new_id in zip(fresh, ids, strict=True):
        new_event.id = new_id
        if new_event.payload is None:
            new_event.payload = {}
        new_event.prev_hash = prev_hash
        new_event.hash = prev_hash = row_hash(prev_hash, new_event)


event.listen(Session, "before_flush", _chain_new_events)

_INSERT_EVENT = Write(insert(_EVENTS))


def append(session: Session, new_event: Event) -> None:
    """Write one new event at the chain's end with a plain INSERT, not through the unit of work (every
    submission writes one: paht.prepared.insert_object). Pending events are flushed, and so chained, first."""
    flush_pending(session)
    tip_hash, ids = _tip_and_ids(session, 1)
    _link([new_event], tip_hash, ids)
    insert_object(session, new_event, _INSERT_EVENT)


# -- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


def _rows(session: Session) -> Iterable[Any]:
    """Every event in id order, fetched in batches by keyset so memory stays constant."""
    columns = [getattr(Event, name) for name in HASHED_FIELDS] + [Event.prev_hash, Event.hash]
    after = None
    while True:
        query = select(*columns).order_by(Event.id).limit(VERIFY_BATCH)
        if after is not None:
            query = query.where(Event.id > after)
        batch = session.execute(query).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def _fault(row: Any, expected_prev: str, previous_id: int | None) -> str | None:
    if row.hash is None or row.prev_hash is None:
        return "dòng không có mã băm (the row has no hash: written outside the application)"
    if row.prev_hash != expected_prev:
        before = f"event {previous_id}" if previous_id is not None else "the start of the chain"
        return (
            f"prev_hash không khớp dòng trước (prev_hash does not match the hash of {before}: "
            "a row before it was deleted, inserted or changed)"
        )
    if row_hash(row.prev_hash, row) != row.hash:
        return "nội dung đã bị sửa (the row's content differs from its hash: it was changed after it was written)"
    return None


def count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0


def verify_chain(session: Session, *, progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Walk the whole chain; the first row whose link or content does not hold is reported."""
    expected_prev, previous_id, checked = GENESIS, None, 0
    for row in _rows(session):
        reason = _fault(row, expected_prev, previous_id)
        if reason is not None:
            return ChainCheck(ok=False, checked=checked, first_broken_id=row.id, reason=reason)
        expected_prev, previous_id = row.hash, row.id
        checked += 1
        if progress is not None and checked % VERIFY_BATCH == 0:
            progress(VERIFY_BATCH)
    if progress is not None:
        progress(checked % VERIFY_BATCH)
    return ChainCheck(ok=True, checked=checked)
