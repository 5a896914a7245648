"""Open311 API keys: created by administrators (API or `paht open311-key`), shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.errors import Conflict, Invalid, NotFound
from paht.models import Open311Key
from paht.text import clean


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session, *, name: str, created_by_id: int | None = None, secret: str | None = None
) -> tuple[Open311Key, str]:
    """A new key for a client; returns the row and the key itself, which is never shown again."""
    label = clean(name) or ""
    if not label or len(label) > 255:
        raise Invalid("Tên khoá phải có từ 1 đến 255 ký tự (name: 1–255 characters).")
    key = secret or "o311_" + secrets.token_urlsafe(24)
    if len(key) < 12:
        raise Invalid("Khoá quá ngắn (a key needs at least 12 characters).")
    if session.scalar(select(Open311Key.id).where(Open311Key.key_hash == digest(key))) is not None:
        raise Conflict("Khoá này đã tồn tại (key already exists).")
    row = Open311Key(
        name=label, key_hash=digest(key), key_prefix=key[:8], created_by_id=created_by_id, created_at=utc_now()
    )
    session.add(row)
    session.flush()
    return row, key


def list_keys(session: Session) -> list[Open311Key]:
    return list(session.scalars(select(Open311Key).order_by(Open311Key.id)))


def revoke_key(session: Session, key_id: int) -> Open311Key:
    row = session.get(Open311Key, key_id)
    if row is None:
        raise NotFound("Không có khoá Open311 này (no such key).")
    row.revoked_at = row.revoked_at or utc_now()
    return row


def authenticate(session: Session, key: str | None) -> Open311Key | None:
    """The active key matching `key`, its use recorded; None when missing, unknown or revoked."""
    if not key:
        return None
    row = session.scalar(select(Open311Key).where(Open311Key.key_hash == digest(key)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utc_now()
    return row
