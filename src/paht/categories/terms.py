"""What a new report and its clocks need of a category, without loading the ORM entity.

Every submission checks its category and every clock started reads the category's deadlines. Through
`session.get` that was an ORM load of the whole row (~0.2 ms of CPU, 5 % of a submission, issue 7 W1);
here it is one statement kept compiled and run on the driver's cursor (`paht.prepared`). The row is read in
the caller's transaction, as the entity was; a category changed in the same session must be flushed first
(categories are changed by their own admin routes, which commit before any report is written).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from paht.models import Category
from paht.prepared import Prepared

_TERMS = Prepared(
    select(
        Category.id,
        Category.active,
        Category.urgent_by_default,
        Category.dispatch_minutes,
        Category.urgent_resolve_hours,
        Category.resolve_working_days,
    ).where(Category.id == bindparam("category_id"))
)


def category_terms(session: Session, category_id: int) -> Any | None:
    """The category's id, `active`, `urgent_by_default` and deadlines (a named row, attributes as the entity's
    columns), or None when there is no such category."""
    rows = _TERMS.rows(session, category_id=category_id)
    return rows[0] if rows else None
