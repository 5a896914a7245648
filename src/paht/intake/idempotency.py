"""Idempotency keys: a retried submission returns the original response and never makes a second report.

Phase one claims the key in its own short transaction, so a concurrent retry sees it at once (409);
phase two stores the response in the same transaction that creates the report, so the report and its
key commit together or not at all. A caller whose work is one short transaction anyway (the JSON API)
claims inside that transaction instead (`claim_within`): one commit per report instead of two, and a
concurrent retry waits for the first request's commit (the key's unique index holds it) and replays it.
A claim left by a crashed process expires after `idempotency_lock_seconds` and can then be taken over.
Each claim carries the `locked_until` it wrote, as a fencing token: a request whose claim was taken over
can neither store its response (its transaction fails with a conflict, so it makes no report) nor
release the new owner's claim.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import UserDefinedType

from paht.clock import utc_now
from paht.db import Database
from paht.errors import BadRequest, Conflict, Invalid
from paht.models import IdempotencyKey
from paht.prepared import Write

MAX_KEY_LENGTH = 255
_KEYS = IdempotencyKey.__table__


@dataclass(frozen=True)
class Claim:
    scope: str
    key: str
    stored: tuple[int, dict] | None = None  # (status, body) of the original response, when replaying
    locked_until: datetime | None = None  # the fencing token of a live claim


def request_fingerprint(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class KeyTaken(Exception):
    """`claim_within` found the key already used or claimed; `claim` says which (replay, 409, 422, take-over)."""


def require_key(key: str | None) -> str:
    if not key:
        raise BadRequest("Thiếu tiêu đề Idempotency-Key (the Idempotency-Key header is required).")
    if len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Idempotency-Key dài quá {MAX_KEY_LENGTH} ký tự.")
    return key


def claim_within(session: Session, *, scope: str, key: str, fingerprint: str, lock_seconds: int) -> Claim:
    """Claim a key as the first statement of the caller's transaction; `complete` then stores the response.

    Raises KeyTaken when the key has a row. A concurrent request with the same key blocks on the unique
    index (PostgreSQL) or on the writer lock (SQLite) until this transaction ends, then raises KeyTaken
    and replays the stored response; if this transaction rolls back, its claim goes with it. The
    transaction must be rolled back after KeyTaken (PostgreSQL has already aborted it).
    """
    now = utc_now()
    locked_until = now + timedelta(seconds=lock_seconds)
    row = {"scope": scope, "key": key, "request_hash": fingerprint, "locked_until": locked_until, "created_at": now}
    try:
        _CLAIM.run(session, row)
    except IntegrityError as taken:
        raise KeyTaken(key) from taken
    return Claim(scope, key, locked_until=locked_until)


def claim(db: Database, *, scope: str, key: str | None, fingerprint: str, lock_seconds: int) -> Claim:
    key = require_key(key)
    now = utc_now()
    locked_until = now + timedelta(seconds=lock_seconds)
    try:
        with db.write() as session:
            session.add(
                IdempotencyKey(
                    scope=scope, key=key, request_hash=fingerprint, locked_until=locked_until, created_at=now
                )
            )
        return Claim(scope, key, locked_until=locked_until)
    except IntegrityError:
        pass
    with db.write() as session:
        row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
        if row is None:  # released between our insert and this read: the caller may simply retry
            raise Conflict("Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại.")
        if row.request_hash != fingerprint:
            raise Invalid("Idempotency-Key đã được dùng cho một yêu cầu khác (key reused with a different body).")
        if row.response_status is not None:
            return Claim(scope, key, stored=(row.response_status, row.response_body or {}))
        if row.locked_until is not None and row.locked_until > now:
            raise Conflict("Yêu cầu với Idempotency-Key này đang được xử lý (the first request is still running).")
        taken = session.execute(
            update(IdempotencyKey).where(_held(scope, key, row.locked_until)).values(locked_until=locked_until)
        )
        if taken.rowcount != 1:
            raise Conflict("Yêu cầu với Idempotency-Key này đang được xử lý (the first request is still running).")
    return Claim(scope, key, locked_until=locked_until)


def _held(scope: Any, key: Any, locked_until: Any) -> ColumnElement[bool]:
    """The key's row, still pending and still held by the claim that wrote `locked_until` (values, or bound
    parameters for a statement built once)."""
    columns = _KEYS.c
    held = columns.locked_until.is_(None) if locked_until is None else columns.locked_until == locked_until
    return (columns.scope == scope) & (columns.key == key) & columns.response_status.is_(None) & held


class _JSONText(UserDefinedType[str]):
    """JSON already encoded, bound as it is: the column's own type would encode a dict, and the API hands over its
    answer's bytes. No cast is written (PostgreSQL reads the untyped text as the column's json; SQLite stores it)."""

    cache_ok = True

    def get_col_spec(self) -> str:
        return "JSON"


# Built once, on the table rather than the ORM entity (whose bulk insert/update path rebuilt each statement's
# cache key on every execution), and run on the driver's cursor (paht.prepared.Write): every submission claims
# and completes a key.
_CLAIM = Write(insert(_KEYS))
_COMPLETE = Write(
    update(_KEYS)
    .where(_held(bindparam("p_scope"), bindparam("p_key"), bindparam("p_locked_until")))
    .values(
        response_status=bindparam("p_status"),
        response_body=type_coerce(bindparam("p_body"), _JSONText()),
        locked_until=None,
    )
)


def complete(session: Session, claim_: Claim, *, status: int, body: dict | bytes) -> None:
    """Store the response in the caller's transaction (the one that created the report). `body`: a JSON
    object, or one already encoded (UTF-8), stored as it is rather than decoded and encoded again.

    Raises Conflict when the claim was taken over meanwhile: the caller's transaction must then roll back.
    """
    params = {"p_scope": claim_.scope, "p_key": claim_.key, "p_locked_until": claim_.locked_until}
    text = body.decode() if isinstance(body, bytes) else json.dumps(body)
    if _COMPLETE.run(session, params | {"p_status": status, "p_body": text}) != 1:
        raise Conflict(
            "Idempotency-Key đã được một yêu cầu gửi lại khác tiếp nhận; hãy thử lại (the claim was taken over)."
        )


def release(db: Database, claim_: Claim) -> None:
    """Forget a claim whose request failed, so that a corrected retry with the same key can run."""
    with db.write() as session:
        session.execute(delete(IdempotencyKey).where(_held(claim_.scope, claim_.key, claim_.locked_until)))


def purge_expired(session: Session, *, older_than_hours: int) -> int:
    cutoff = utc_now() - timedelta(hours=older_than_hours)
    return session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
