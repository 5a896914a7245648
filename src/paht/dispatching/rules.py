"""The admin's routing rules: category × area → body (either side may be "any", not both)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.dispatching.schemas import RoutingRuleIn
from paht.enums import OrgKind
from paht.errors import Conflict, Invalid, NotFound
from paht.models import Area, Category, Organization, RoutingRule


def _check(session: Session, data: RoutingRuleIn, *, rule_id: int | None) -> None:
    if data.category_id is None and data.area_id is None:
        raise Invalid("Cần lĩnh vực hoặc khu vực (a rule needs a category, an area, or both).")
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        raise Invalid(f"category_id: không có lĩnh vực {data.category_id} (unknown category).")
    if data.area_id is not None and session.get(Area, data.area_id) is None:
        raise Invalid(f"area_id: không có khu vực {data.area_id} (unknown area).")
    org = session.get(Organization, data.organization_id)
    if org is None or not org.active or org.kind == OrgKind.ioc:
        raise Invalid(f"organization_id: {data.organization_id} không phải đơn vị xử lý (not a handling body).")
    if data.active:
        clash = session.scalar(
            select(RoutingRule.id).where(
                RoutingRule.active,
                RoutingRule.category_id.is_(None)
                if data.category_id is None
                else RoutingRule.category_id == data.category_id,
                RoutingRule.area_id.is_(None) if data.area_id is None else RoutingRule.area_id == data.area_id,
                RoutingRule.id != (rule_id or 0),
            )
        )
        if clash is not None:
            raise Conflict(f"Đã có quy tắc #{clash} cho cùng lĩnh vực và khu vực (a rule for this pair exists).")


def list_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.id)))


def get_rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("Không có quy tắc này (no such routing rule).")
    return rule


def create_rule(session: Session, data: RoutingRuleIn, *, user_id: int | None) -> RoutingRule:
    _check(session, data, rule_id=None)
    now = utc_now()
    rule = RoutingRule(**data.model_dump(), created_by_id=user_id, created_at=now, updated_at=now)
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, rule_id: int, data: RoutingRuleIn) -> RoutingRule:
    rule = get_rule(session, rule_id)
    _check(session, data, rule_id=rule_id)
    for name, value in data.model_dump().items():
        setattr(rule, name, value)
    rule.updated_at = utc_now()
    session.flush()
    return rule


def delete_rule(session: Session, rule_id: int) -> None:
    session.delete(get_rule(session, rule_id))
    session.flush()
