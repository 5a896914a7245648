"""The audit trail of security changes to staff accounts (table account_events)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.models import AccountEvent

KINDS = ("totp_enrolled", "totp_reset", "password_changed", "password_reset")


def record(session: Session, user_id: int, kind: str, *, by_user_id: int | None) -> None:
    assert kind in KINDS, kind
    session.add(AccountEvent(user_id=user_id, kind=kind, by_user_id=by_user_id, created_at=utc_now()))


def events_of(session: Session, user_id: int) -> list[AccountEvent]:
    return list(session.scalars(select(AccountEvent).where(AccountEvent.user_id == user_id).order_by(AccountEvent.id)))
