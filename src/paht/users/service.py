"""Creating and managing accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.passwords import MIN_LENGTH, hash_password
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.errors import Conflict, Invalid
from paht.models import Organization, User, UserRole


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    roles: list[str],
    password: str | None = None,
    password_hash: str | None = None,
    organization_code: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    username = username.strip().lower()
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Tên đăng nhập {username} đã tồn tại.")
    try:
        role_values = sorted({Role(r) for r in roles})
    except ValueError as exc:
        raise Invalid(f"Vai trò không hợp lệ: {exc}") from exc
    org = None
    if organization_code:
        org = session.scalar(select(Organization).where(Organization.code == organization_code.upper()))
        if org is None:
            raise Invalid(f"Không có đơn vị mã {organization_code}.")
    if set(role_values) - {Role.citizen} and org is None:
        raise Invalid("Tài khoản cán bộ phải thuộc một đơn vị (staff need an organisation).")
    if password_hash is None:
        if password is None or len(password) < MIN_LENGTH:
            raise Invalid(f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự.")
        password_hash = hash_password(password)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        password_hash=password_hash,
        organization_id=org.id if org else None,
        created_at=utc_now(),
        roles=[UserRole(role=r.value) for r in role_values],
    )
    session.add(user)
    session.flush()
    return user
