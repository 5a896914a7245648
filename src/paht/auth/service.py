"""Log in, issue and revoke opaque bearer tokens, and turn a token into an Actor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.auth.passwords import burn_time, verify_password
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.errors import NotAuthenticated
from paht.models import ApiToken, Organization, User


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


def issue_token(session: Session, *, user: User, ttl_hours: int) -> tuple[str, int]:
    token = secrets.token_urlsafe(32)
    now = utc_now()
    session.add(
        ApiToken(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
    )
    return token, ttl_hours * 3600


def revoke_token(session: Session, *, token: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utc_now()


def user_for_token(session: Session, token: str) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utc_now():
        raise NotAuthenticated("Mã truy cập không hợp lệ hoặc đã hết hạn (invalid or expired token).")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("Tài khoản đã bị vô hiệu hoá (account disabled).")
    return user


def descendant_ids(session: Session, root_id: int) -> set[int]:
    """The organisation and every organisation below it (the tree is small: a few hundred rows)."""
    children: dict[int | None, list[int]] = {}
    for org_id, parent_id in session.execute(select(Organization.id, Organization.parent_id)):
        children.setdefault(parent_id, []).append(org_id)
    found, stack = {root_id}, [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


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
