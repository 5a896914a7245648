"""Creating and changing organisations (the IOC and the handling bodies)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.enums import OrgKind
from paht.errors import Conflict, Invalid
from paht.models import Organization


def create_organization(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    name_en: str | None = None,
    parent_code: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Organization:
    code = code.strip().upper()
    if not code or len(code) > 32 or not code.replace("_", "").isalnum():
        raise Invalid("Mã đơn vị chỉ gồm chữ, số và '_' (tối đa 32 ký tự).")
    try:
        kind_value = OrgKind(kind)
    except ValueError as exc:
        raise Invalid(f"Loại đơn vị không hợp lệ: {kind} ({', '.join(k.value for k in OrgKind)}).") from exc
    if session.scalar(select(Organization.id).where(Organization.code == code)) is not None:
        raise Conflict(f"Mã đơn vị {code} đã tồn tại.")
    parent = None
    if parent_code:
        parent = session.scalar(select(Organization).where(Organization.code == parent_code.strip().upper()))
        if parent is None:
            raise Invalid(f"Không có đơn vị cấp trên mã {parent_code}.")
    org = Organization(
        code=code,
        name=name.strip(),
        name_en=name_en,
        kind=kind_value,
        parent_id=parent.id if parent else None,
        email=email,
        phone=phone,
        created_at=utc_now(),
    )
    session.add(org)
    session.flush()
    return org
