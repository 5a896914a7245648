"""The event log as a hash chain: each row's `hash` covers its content and the previous row's hash.

hash = SHA-256(prev_hash + canonical JSON of the row), in `chain_seq` order over the whole table,
starting from GENESIS. Editing a row breaks its own hash; deleting a row breaks the `prev_hash` link of
the next one. (Removing the newest rows leaves a shorter valid chain: compare `checked` with a count
kept elsewhere, e.g. the backup manifest, to notice that.)

Every Event goes through two hooks on every Session, so no caller can forget them: `before_flush`
remembers the transaction's new events, `before_commit` seals them (chain_seq, prev_hash, hash) as the
last step before COMMIT. Sealing at commit keeps the chain in commit order while writers take turns
only for the seal itself, not for the work that wrote the events:
- SQLite: writers hold the database lock from BEGIN IMMEDIATE, so reading the tip is already safe.
- PostgreSQL: a transaction-level advisory lock, taken to seal and released by the COMMIT.
A unique index on `prev_hash` makes a fork impossible even for a writer that bypasses the lock; the
database lets an UPDATE through only when it seals an unsealed row (`paht.audit.append_only`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.orm import Session

from paht.models import Event

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
UNSEALED_REASON = "dòng không có mã băm (the row has no hash: written outside the application)"


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

_UNSEALED = "paht.audit.unsealed_events"


def _remember_new_events(session: Session, _flush_context: object, _instances: object) -> None:
    """Events go in unsealed (ids from the database); the transaction remembers them for its commit."""
    fresh = [obj for obj in session.new if isinstance(obj, Event)]
    for new_event in fresh:
        if new_event.payload is None:
            new_event.payload = {}
    if fresh:
        session.info.setdefault(_UNSEALED, []).extend(fresh)


def _tip(session: Session) -> tuple[int, str]:
    """The chain's newest place and hash, which the next sealed row follows."""
    newest = session.execute(
        select(Event.chain_seq, Event.hash)
        .where(Event.chain_seq.is_not(None))
        .order_by(Event.chain_seq.desc())
        .limit(1)
    ).first()
    if newest is None or newest.hash is None:
        return (newest.chain_seq if newest is not None else 0) or 0, GENESIS
    return newest.chain_seq, newest.hash


def _seal_at_commit(session: Session) -> None:
    """Give this transaction's events their places in the chain, just before it commits.

    On PostgreSQL a transaction-level advisory lock, taken here and released by the commit, makes the
    sealing writers take turns: the lock covers the tip read, the UPDATE and the COMMIT, not the work
    that wrote the events. On SQLite the writer already holds the database lock (BEGIN IMMEDIATE).
    """
    if session.in_nested_transaction():
        return
    if any(isinstance(obj, Event) for obj in session.new):
        session.flush()  # the last events get their ids (the commit's own flush comes after this hook)
    if not session.info.get(_UNSEALED):
        return
    pending = sorted(
        (e for e in session.info.pop(_UNSEALED, []) if inspect(e).persistent and e.chain_seq is None),
        key=lambda e: e.id,
    )
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    seq, prev_hash = _tip(session)
    for new_event in pending:
        seq += 1
        new_event.chain_seq = seq
        new_event.prev_hash = prev_hash
        new_event.hash = prev_hash = row_hash(prev_hash, new_event)
    session.flush()


def _forget_unsealed(session: Session) -> None:
    session.info.pop(_UNSEALED, None)


event.listen(Session, "before_flush", _remember_new_events)
event.listen(Session, "before_commit", _seal_at_commit)
event.listen(Session, "after_rollback", _forget_unsealed)


# -- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


def _rows(session: Session) -> Iterable[Any]:
    """Every sealed event in chain order, fetched in batches by keyset so memory stays constant."""
    columns = [getattr(Event, name) for name in HASHED_FIELDS] + [Event.prev_hash, Event.hash, Event.chain_seq]
    after = 0
    while True:
        query = select(*columns).where(Event.chain_seq > after).order_by(Event.chain_seq).limit(VERIFY_BATCH)
        batch = session.execute(query).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].chain_seq


def _fault(row: Any, expected_prev: str, previous_id: int | None) -> str | None:
    if row.hash is None or row.prev_hash is None:
        return UNSEALED_REASON
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
    outside = session.scalar(select(func.min(Event.id)).where(Event.chain_seq.is_(None)))
    if outside is not None:  # committed without a place in the chain: written behind the app's back
        return ChainCheck(ok=False, checked=checked, first_broken_id=outside, reason=UNSEALED_REASON)
    return ChainCheck(ok=True, checked=checked)
