"""TOTP second factor (RFC 6238: 6 digits, 30-second steps, SHA-1, as every authenticator app expects).

A code is accepted for the current step and one step either side (clock drift), and only for a step
later than the last accepted one, so a code seen over a shoulder or in a log cannot be used again.
The check-and-record is one conditional UPDATE, so two logins racing with the same code cannot both win.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno
from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from paht.abuse.limits import consume
from paht.auth.events import record
from paht.auth.policy import AccountPolicy
from paht.clock import utc_now
from paht.errors import TotpEnrolmentRequired, TotpInvalid, TotpRequired
from paht.models import User
from paht.users.service import end_sign_ins, get_user

STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226 recommends at least 128)."""
    return pyotp.random_base32()


def step_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def provisioning_uri(secret: str, *, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (no image request, no third-party service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = step_at(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), digits):
            return step
    return None


def limit_attempts(session: Session, user_id: int, *, policy: AccountPolicy) -> None:
    """Count one code attempt for this account; too many in the window → RateLimited (429, Retry-After)."""
    consume(
        session,
        "totp",
        str(user_id),
        limit=policy.totp_attempts,
        window_seconds=policy.totp_attempt_window_seconds,
    )


def verify(session: Session, user: User, code: str | None, *, policy: AccountPolicy, secret: str | None = None) -> None:
    """Accept `code` for `user` once (or raise); `secret` overrides the enrolled one while enrolling."""
    secret = secret or user.totp_secret
    assert secret is not None
    if not code or not code.strip():
        raise TotpRequired("Cần mã xác thực 6 số từ ứng dụng (enter the 6-digit code from your authenticator app).")
    limit_attempts(session, user.id, policy=policy)
    step = _matching_step(secret, code, utc_now())
    accepted = step is not None and _record_step(session, user, step)
    if not accepted:
        raise TotpInvalid("Mã xác thực không đúng hoặc đã được dùng (wrong or already used code).")


def _record_step(session: Session, user: User, step: int) -> bool:
    result = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def start_enrolment(session: Session, user: User) -> str:
    """A new secret to show once; it takes effect only when a code from it is confirmed."""
    user.totp_pending_secret = new_secret()
    session.flush()
    return user.totp_pending_secret


def confirm_enrolment(session: Session, user: User, code: str | None, *, policy: AccountPolicy) -> None:
    if user.totp_pending_secret is None:
        raise TotpEnrolmentRequired("Hãy bắt đầu lại việc cài đặt xác thực hai bước (start the set-up again).")
    verify(session, user, code, policy=policy, secret=user.totp_pending_secret)
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enrolled_at = utc_now()
    record(session, user.id, "totp_enrolled", by_user_id=user.id)
    session.flush()


def reset(session: Session, user_id: int, *, by_user_id: int | None) -> User:
    """An administrator removes a lost second factor: the user enrols again at the next sign-in.

    Every sign-in of the user ends too, since whoever holds the old device may hold a session.
    """
    user = get_user(session, user_id)
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enrolled_at = user.totp_last_step = None
    end_sign_ins(session, user.id)
    record(session, user.id, "totp_reset", by_user_id=by_user_id)
    session.flush()
    return user
