"""Category suggestion from the words of a report that arrived without one (chat, e-mail, hotline)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.dispatching.training import CATEGORY, Loaded, current, text_of
from paht.models import Category, Report
from paht.places.service import area_of


def suggest_categories(
    session: Session, report: Report, *, top: int = 3
) -> tuple[list[tuple[Category, float]], Loaded | None]:
    loaded = current(session, CATEGORY)
    if loaded is None:
        return [], None
    area = area_of(session, report.id)
    predicted = loaded.model.predict(
        text_of(report.title, report.description), None, area.code if area else None, top=top
    )
    by_code = {c.code: c for c in session.scalars(select(Category).where(Category.active))}
    return [(by_code[code], round(p, 3)) for code, p in predicted if code in by_code], loaded
