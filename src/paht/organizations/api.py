"""Public lists of handling bodies and categories (what a client needs to build a form)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from paht.deps import Lang, ReadSession
from paht.models import Category, Organization
from paht.responses import errors

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=errors(401, 422))


class OrganizationOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str | None
    kind: str
    parent_id: int | None


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    default_organization_id: int | None
    urgent_by_default: bool
    resolve_working_days: int
    urgent_resolve_hours: int


@router.get("/organizations", response_model=list[OrganizationOut])
def organizations(session: ReadSession) -> Any:
    rows = session.scalars(select(Organization).where(Organization.active).order_by(Organization.code))
    return [OrganizationOut.model_validate(o, from_attributes=True) for o in rows]


@router.get("/categories", response_model=list[CategoryOut])
def categories(session: ReadSession, lang: Lang) -> Any:
    rows = session.scalars(select(Category).where(Category.active).order_by(Category.code))
    return [CategoryOut.model_validate(c, from_attributes=True) for c in rows]
