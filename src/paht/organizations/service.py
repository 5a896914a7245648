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


def update_organization(
    session: Session,
    organization_id: int,
    *,
    name: str,
    name_en: str | None,
    parent_id: int | None,
    active: bool,
    email: str | None = None,
    phone: str | None = None,
) -> Organization:
    """Rename, move in the tree or (de)activate a body. A body cannot move under itself or its descendants."""
    org = session.get(Organization, organization_id)
    if org is None:
        raise Invalid(f"Không có đơn vị {organization_id}.")
    if not name.strip():
        raise Invalid("Tên đơn vị không được để trống.")
    if parent_id is not None:
        from paht.auth.service import descendant_ids

        if session.get(Organization, parent_id) is None:
            raise Invalid(f"Không có đơn vị cấp trên {parent_id}.")
        if parent_id in descendant_ids(session, org.id):
            raise Invalid("Không thể đặt một đơn vị dưới chính nó hoặc đơn vị cấp dưới của nó.")
    if org.kind == OrgKind.ioc and not active:
        raise Invalid("Không thể ngừng hoạt động IOC.")
    org.name, org.name_en, org.parent_id, org.active = name.strip(), name_en or None, parent_id, active
    org.email, org.phone = email or None, phone or None
    session.flush()
    return org


def organization_tree(session: Session) -> list[tuple[Organization, int]]:
    """Every organisation in tree order with its depth (the IOC and the roots first, children under parents)."""
    rows = list(session.scalars(select(Organization).order_by(Organization.name)))
    children: dict[int | None, list[Organization]] = {}
    for org in rows:
        children.setdefault(org.parent_id, []).append(org)
    ordered: list[tuple[Organization, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for org in sorted(children.get(parent_id, []), key=lambda o: (o.kind != OrgKind.ioc, o.name)):
            ordered.append((org, depth))
            walk(org.id, depth + 1)

    walk(None, 0)
    return ordered
