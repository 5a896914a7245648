"""Creating and changing categories (lĩnh vực): their default handling body and deadlines."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.enums import OrgKind
from paht.errors import Conflict, Invalid
from paht.models import Category, Organization

MAX_WORKING_DAYS = 365
MAX_URGENT_HOURS = 24 * 30
MAX_DISPATCH_MINUTES = 24 * 60


def _check(
    session: Session,
    *,
    name: str,
    name_en: str,
    default_organization_id: int | None,
    resolve_working_days: int,
    urgent_resolve_hours: int,
    dispatch_minutes: int | None,
) -> None:
    if not name.strip() or not name_en.strip():
        raise Invalid("Cần tên lĩnh vực bằng tiếng Việt và tiếng Anh.")
    if default_organization_id is not None:
        org = session.get(Organization, default_organization_id)
        if org is None or not org.active or org.kind == OrgKind.ioc:
            raise Invalid("Đơn vị xử lý mặc định phải là một đơn vị xử lý đang hoạt động.")
    if not 1 <= resolve_working_days <= MAX_WORKING_DAYS:
        raise Invalid(f"Thời hạn xử lý: từ 1 đến {MAX_WORKING_DAYS} ngày làm việc.")
    if not 1 <= urgent_resolve_hours <= MAX_URGENT_HOURS:
        raise Invalid(f"Thời hạn xử lý khẩn: từ 1 đến {MAX_URGENT_HOURS} giờ.")
    if dispatch_minutes is not None and not 1 <= dispatch_minutes <= MAX_DISPATCH_MINUTES:
        raise Invalid(f"Thời hạn chuyển xử lý: từ 1 đến {MAX_DISPATCH_MINUTES} phút.")


def create_category(
    session: Session,
    *,
    code: str,
    name: str,
    name_en: str,
    default_organization_id: int | None,
    resolve_working_days: int = 5,
    urgent_resolve_hours: int = 24,
    dispatch_minutes: int | None = None,
    urgent_by_default: bool = False,
) -> Category:
    code = code.strip().upper()
    if not code or len(code) > 32 or not code.replace("_", "").isalnum():
        raise Invalid("Mã lĩnh vực chỉ gồm chữ, số và '_' (tối đa 32 ký tự).")
    if session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise Conflict(f"Mã lĩnh vực {code} đã tồn tại.")
    _check(
        session,
        name=name,
        name_en=name_en,
        default_organization_id=default_organization_id,
        resolve_working_days=resolve_working_days,
        urgent_resolve_hours=urgent_resolve_hours,
        dispatch_minutes=dispatch_minutes,
    )
    category = Category(
        code=code,
        name=name.strip(),
        name_en=name_en.strip(),
        default_organization_id=default_organization_id,
        resolve_working_days=resolve_working_days,
        urgent_resolve_hours=urgent_resolve_hours,
        dispatch_minutes=dispatch_minutes,
        urgent_by_default=urgent_by_default,
        created_at=utc_now(),
    )
    session.add(category)
    session.flush()
    return category


def update_category(
    session: Session,
    category_id: int,
    *,
    name: str,
    name_en: str,
    default_organization_id: int | None,
    resolve_working_days: int,
    urgent_resolve_hours: int,
    dispatch_minutes: int | None,
    urgent_by_default: bool,
    active: bool,
) -> Category:
    """New deadlines apply to clocks started from now on; running clocks keep the due time they started with."""
    category = session.get(Category, category_id)
    if category is None:
        raise Invalid(f"Không có lĩnh vực {category_id}.")
    _check(
        session,
        name=name,
        name_en=name_en,
        default_organization_id=default_organization_id,
        resolve_working_days=resolve_working_days,
        urgent_resolve_hours=urgent_resolve_hours,
        dispatch_minutes=dispatch_minutes,
    )
    category.name, category.name_en = name.strip(), name_en.strip()
    category.default_organization_id = default_organization_id
    category.resolve_working_days, category.urgent_resolve_hours = resolve_working_days, urgent_resolve_hours
    category.dispatch_minutes, category.urgent_by_default, category.active = (
        dispatch_minutes,
        urgent_by_default,
        active,
    )
    session.flush()
    return category
