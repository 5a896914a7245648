"""Log in (password, then the second factor), issue and revoke opaque bearer tokens, turn a token into an Actor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from paht.auth import totp
from paht.auth.actor import Actor
from paht.auth.events import record
from paht.auth.passwords import burn_time, check_password, hash_password, verify_password
from paht.auth.policy import AccountPolicy
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.errors import Invalid, NotAuthenticated, TotpEnrolmentRequired
from paht.models import ApiToken, Organization, User
from paht.users.service import end_sign_ins

# Record a token's or a session's last use at most once a minute: the idle timeout needs no finer grain.
TOUCH_EVERY = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, *, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        burn_time(password)
        raise NotAuthenticated("Tên đăng nhập hoặc mật khẩu không đúng (wrong username or password).")
    if not verify_password(user.password_hash, password) or not user.active:
        raise NotAuthenticated("Tên đăng nhập hoặc mật khẩu không đúng (wrong username or password).")
    return user


def second_factor_step(user: User, *, policy: AccountPolicy) -> str | None:
    """What the password alone does not prove: "verify" (a TOTP code), "enrol" (set TOTP up first), or None."""
    if user.has_totp:
        return "verify"
    if policy.totp_required(user.role_names):
        return "enrol"
    return None


def sign_in(session: Session, *, username: str, password: str, totp_code: str | None, policy: AccountPolicy) -> User:
    """Password, then the second factor when the account has one or its roles require one (API login)."""
    user = authenticate(session, username=username, password=password)
    step = second_factor_step(user, policy=policy)
    if step == "enrol":
        raise TotpEnrolmentRequired(
            "Tài khoản này cần xác thực hai bước: hãy đăng nhập trên web để cài đặt "
            "(this account needs a second factor: sign in on the web to set it up)."
        )
    if step == "verify":
        totp.verify(session, user, totp_code, policy=policy)
    return user


def change_password(session: Session, user: User, *, current: str, new: str, policy: AccountPolicy) -> None:
    """The user's own change: the current password is asked again, and every other sign-in ends."""
    if not verify_password(user.password_hash, current):
        raise Invalid("Mật khẩu hiện tại không đúng (the current password is wrong).", details={"rule": "current"})
    second_factor = user.has_totp or policy.totp_required(user.role_names)
    checked = check_password(new, policy=policy, second_factor=second_factor, personal=(user.username, user.full_name))
    user.password_hash = hash_password(checked)
    end_sign_ins(session, user.id)
    record(session, user.id, "password_changed", by_user_id=user.id)
    session.flush()


def issue_token(session: Session, *, user: User, ttl_hours: int) -> tuple[str, int]:
    """A new random token (256 bits from the CSPRNG) on every login; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    session.add(
        ApiToken(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
    )
    return token, ttl_hours * 3600


def revoke_token(session: Session, *, token: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utc_now()


class _TokenTimes(Protocol):
    revoked_at: datetime | None
    expires_at: datetime
    last_used_at: datetime | None
    created_at: datetime


def token_problem(
    token: _TokenTimes | None, *, now: datetime, idle_minutes: int | None, user_active: bool | None
) -> str | None:
    """Why a token does not sign its caller in (None: it does). `user_active` is None when there is no user."""
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return "Mã truy cập không hợp lệ hoặc đã hết hạn (invalid or expired token)."
    last_used = token.last_used_at or token.created_at
    if idle_minutes is not None and last_used + timedelta(minutes=idle_minutes) <= now:
        return "Phiên đã hết hạn do không hoạt động (the token expired after inactivity)."
    if not user_active:
        return "Tài khoản đã bị vô hiệu hoá (account disabled)."
    return None


def touch_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utc_now()))


def descendants_query() -> Select[tuple[int]]:
    """The organisations strictly below `:root`, walked by the database (a recursive query)."""
    below = select(Organization.id).where(Organization.parent_id == bindparam("root")).cte("below", recursive=True)
    below = below.union(select(Organization.id).join(below, Organization.parent_id == below.c.id))
    return select(below.c.id)


DESCENDANTS = descendants_query()


def descendant_ids(session: Session, root_id: int) -> set[int]:
    """The organisation and every organisation below it."""
    return {root_id, *session.execute(DESCENDANTS, {"root": root_id}).scalars()}


def actor_for(session: Session, user: User) -> Actor:
    roles = frozenset(Role(r) for r in user.role_names)
    readable: set[int] = set()
    if user.organization_id is not None:
        readable.add(user.organization_id)
        if roles & {Role.leader, Role.viewer}:
            readable |= descendant_ids(session, user.organization_id)
    return Actor(
        user_id=user.id,
        username=user.username,
        roles=roles,
        organization_id=user.organization_id,
        readable_org_ids=frozenset(readable),
    )
