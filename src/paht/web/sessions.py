"""Browser sessions: sign in, look up, time out, sign out.

The cookie carries a random token; the database keeps only its SHA-256, so a copy of the database
opens no session. A session ends at its absolute deadline, after an idle period, or when revoked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from paht.auth.service import token_digest
from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.models import User, WebSession

SESSION_COOKIE = "paht_session"
# Only touch `last_seen_at` once a minute: the idle timeout needs no finer grain, and it saves a write per page.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedIn:
    session_id: int
    user_id: int
    csrf_token: str


def start(
    session: Session, user: User, *, settings: Settings, user_agent: str | None, pending_step: str | None = None
) -> str:
    """Open a session for `user`; returns the cookie value (shown nowhere else).

    With `pending_step` ("verify" or "enrol") the session only carries the sign-in to its second factor,
    for `login_pending_minutes`; it never signs anyone in.
    """
    token = secrets.token_urlsafe(32)
    now = utc_now()
    lifetime = (
        timedelta(minutes=settings.login_pending_minutes)
        if pending_step
        else timedelta(hours=settings.session_absolute_hours)
    )
    session.add(
        WebSession(
            token_hash=token_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            user_agent=(user_agent or "")[:255] or None,
            pending_step=pending_step,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def pending(session: Session, token: str | None) -> tuple[User, str] | None:
    """The user half-way through signing in with this cookie, and the step left ("verify" or "enrol")."""
    if not token:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if row is None or row.pending_step is None or row.revoked_at is not None or row.expires_at <= utc_now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row.pending_step


def end(session: Session, token: str) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_digest(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )


def lookup(db: Database, token: str | None, *, settings: Settings) -> SignedIn | None:
    """The live session behind a cookie, or None when it is unknown, revoked, idle too long or too old."""
    if not token:
        return None
    now = utc_now()
    with db.reader() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
        if row is None or row.revoked_at is not None or row.expires_at <= now or row.pending_step is not None:
            return None
        if row.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now:
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            return None
        found = SignedIn(row.id, row.user_id, row.csrf_token)
        stale = row.last_seen_at + TOUCH_EVERY <= now
    if stale:
        with db.write() as session:
            session.execute(update(WebSession).where(WebSession.id == found.session_id).values(last_seen_at=now))
    return found


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)
