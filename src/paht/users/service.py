"""Creating and managing accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.passwords import check_password, hash_password
from paht.auth.policy import AccountPolicy
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
    policy: AccountPolicy | None = None,
) -> User:
    """A new account. A `password` must pass the staff password policy; `password_hash` (demo and test
    data only) skips it."""
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
        policy = policy or AccountPolicy()
        checked = check_password(
            password or "",
            policy=policy,
            second_factor=policy.totp_required(r.value for r in role_values),
            personal=(username, full_name),
        )
        password_hash = hash_password(checked)
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


def end_sign_ins(session: Session, user_id: int) -> None:
    """Revoke every API token and browser session of a user (disabled, or password reset)."""
    from sqlalchemy import update

    from paht.models import ApiToken, WebSession

    now = utc_now()
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    session.execute(
        update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None)).values(revoked_at=now)
    )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise Invalid(f"Không có tài khoản {user_id}.")
    return user


def set_active(session: Session, user_id: int, *, active: bool, by_user_id: int | None = None) -> User:
    """Disable (signing the user out everywhere) or re-enable an account. Nobody disables themselves."""
    user = get_user(session, user_id)
    if not active and by_user_id == user.id:
        raise Invalid("Không thể tự vô hiệu hoá tài khoản của mình.")
    user.active = active
    if not active:
        end_sign_ins(session, user.id)
    session.flush()
    return user


def reset_password(session: Session, user_id: int, *, by_user_id: int | None = None) -> str:
    """A new random password (returned once, to hand to the user); every existing sign-in ends."""
    import secrets

    from paht.auth.events import record

    user = get_user(session, user_id)
    password = secrets.token_urlsafe(12)  # 16 characters, 96 random bits: longer than the policy asks
    user.password_hash = hash_password(password)
    end_sign_ins(session, user.id)
    record(session, user.id, "password_reset", by_user_id=by_user_id)
    session.flush()
    return password


def update_user(
    session: Session,
    user_id: int,
    *,
    full_name: str,
    roles: list[str],
    organization_code: str | None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    """Change an account's name, contact, organisation and roles (the same rules as at creation)."""
    user = get_user(session, user_id)
    try:
        role_values = sorted({Role(r) for r in roles})
    except ValueError as exc:
        raise Invalid(f"Vai trò không hợp lệ: {exc}") from exc
    if not role_values:
        raise Invalid("Tài khoản cần ít nhất một vai trò.")
    org = None
    if organization_code:
        org = session.scalar(select(Organization).where(Organization.code == organization_code.upper()))
        if org is None:
            raise Invalid(f"Không có đơn vị mã {organization_code}.")
    if set(role_values) - {Role.citizen} and org is None:
        raise Invalid("Tài khoản cán bộ phải thuộc một đơn vị (staff need an organisation).")
    if not full_name.strip():
        raise Invalid("Họ tên không được để trống.")
    user.full_name, user.email, user.phone = full_name.strip(), email or None, phone or None
    user.organization_id = org.id if org else None
    wanted = {r.value for r in role_values}
    user.roles = [r for r in user.roles if r.role in wanted] + [
        UserRole(role=r) for r in sorted(wanted - user.role_names)
    ]
    session.flush()
    return user
