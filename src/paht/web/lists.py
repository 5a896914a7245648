"""Report lists for the consoles: filtered, sorted and keyset-paginated, always inside `visible(actor)`.

No OFFSET and no COUNT over the whole table: each page asks for `limit + 1` rows after the cursor,
so page 1 and page 1,000 cost the same on 100,000 reports.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.clock import utc_now
from paht.errors import Invalid
from paht.models import Category, Organization, Report, SlaClock
from paht.reports.queries import visible
from paht.search.engine import Match, Scope
from paht.search.queries import narrow, narrowed, searched_page

PAGE_SIZE = 25

# sort name → (column, ascending?) pairs; the last column is always the unique id.
SORTS: dict[str, tuple[tuple[ColumnElement, bool], ...]] = {
    "newest": ((Report.created_at, False), (Report.id, False)),
    "oldest": ((Report.created_at, True), (Report.id, True)),
    "urgent": ((Report.urgent, False), (Report.created_at, True), (Report.id, True)),
    "due": ((SlaClock.due_at, True), (Report.id, True)),
}


@dataclass(frozen=True)
class ListQuery:
    states: tuple[str, ...] = ()
    organization_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    urgent: bool | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: str = "newest"
    # Words to find, diacritics ignored (paht.search); the keyset order is kept.
    q: str | None = None


@dataclass
class Page:
    reports: list[Report]
    clocks: dict[uuid.UUID, SlaClock]
    next_cursor: str | None


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return exists().where(SlaClock.report_id == Report.id, SlaClock.stopped_at.is_(None), SlaClock.due_at < now)


def _filtered(query: Select, actor: Actor, q: ListQuery) -> Select:
    """The list's filters but its search words (`q.q`), which each caller applies its own way."""
    query = query.where(visible(actor))
    if q.states:
        query = query.where(Report.state.in_(q.states))
    if q.organization_id is not None:
        query = query.where(Report.current_organization_id == q.organization_id)
    if q.category_id is not None:
        query = query.where(Report.category_id == q.category_id)
    if q.channel:
        query = query.where(Report.channel == q.channel)
    if q.urgent is not None:
        query = query.where(Report.urgent.is_(q.urgent))
    if q.overdue is not None:
        query = query.where(overdue_clause(utc_now()) if q.overdue else ~overdue_clause(utc_now()))
    if q.created_from is not None:
        query = query.where(Report.created_at >= q.created_from)
    if q.created_to is not None:
        query = query.where(Report.created_at < q.created_to)
    return query


def _encode(values: Sequence[object]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, columns: Sequence[tuple[ColumnElement, bool]]) -> list[object]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise ValueError("cursor shape")
        values: list[object] = []
        for (column, _), value in zip(columns, raw, strict=True):
            if column is Report.id:
                values.append(uuid.UUID(value))
            elif column is Report.urgent:
                values.append(bool(value))
            else:
                values.append(datetime.fromisoformat(value))
        return values
    except (ValueError, TypeError) as exc:
        raise Invalid("cursor không hợp lệ (invalid cursor)") from exc


def _after(columns: Sequence[tuple[ColumnElement, bool]], values: Sequence[object]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the sort order: (a > x) or (a = x and b > y) or …"""
    # Bound as typed literals: SQLAlchemy refuses `<`/`>` against a bare True/False (the urgent flag).
    bound = [literal(value, column.type) for (column, _), value in zip(columns, values, strict=True)]
    branches = []
    for index, (column, ascending) in enumerate(columns):
        equal = [c == v for (c, _), v in zip(columns[:index], bound[:index], strict=True)]
        branches.append(and_(*equal, column > bound[index] if ascending else column < bound[index]))
    return or_(*branches)


def _sort_value(report: Report, clock: SlaClock | None, column: ColumnElement) -> object:
    if column is SlaClock.due_at:
        assert clock is not None
        return clock.due_at
    return getattr(report, column.key)


def list_reports(session: Session, actor: Actor, q: ListQuery, *, cursor: str | None, limit: int = PAGE_SIZE) -> Page:
    columns = SORTS.get(q.sort, SORTS["newest"])
    query = select(Report)
    if q.sort == "due":
        query = query.join(SlaClock, and_(SlaClock.report_id == Report.id, SlaClock.stopped_at.is_(None)))
    base = _filtered(query, actor, q)
    after = _decode(cursor, columns) if cursor else None
    order = [column.asc() if ascending else column.desc() for column, ascending in columns]

    def rows_of(match: Match | None) -> list[Report]:
        query = narrowed(base, match)
        if after is not None:
            query = query.where(_after(columns, after))
        return list(session.scalars(query.order_by(*order).limit(limit + 1)))

    rows = searched_page(session, base, q.q, Scope.staff, rows_of, continued=after is not None)
    reports = rows[:limit]
    clocks = running_clocks(session, [r.id for r in reports])
    next_cursor = None
    if len(rows) > limit:
        last = reports[-1]
        next_cursor = _encode([_sort_value(last, clocks.get(last.id), column) for column, _ in columns])
    return Page(reports, clocks, next_cursor)


def count_reports(session: Session, actor: Actor, q: ListQuery) -> int:
    """For work queues only (small sets by nature: what waits for someone now)."""
    query = _filtered(select(func.count()).select_from(Report), actor, q)
    return session.scalar(narrow(session, query, q.q, Scope.staff) if q.q else query) or 0


def running_clocks(session: Session, report_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SlaClock]:
    if not report_ids:
        return {}
    rows = session.scalars(select(SlaClock).where(SlaClock.report_id.in_(report_ids), SlaClock.stopped_at.is_(None)))
    return {clock.report_id: clock for clock in rows}


@dataclass
class Directory:
    """Organisations and categories by id (a few hundred rows: loaded once per page)."""

    lang: str
    organizations: dict[int, Organization] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, lang: str) -> Directory:
        return cls(
            lang,
            {o.id: o for o in session.scalars(select(Organization).order_by(Organization.name))},
            {c.id: c for c in session.scalars(select(Category).order_by(Category.name))},
        )

    def org(self, org_id: int | None) -> str:
        org = self.organizations.get(org_id) if org_id is not None else None
        if org is None:
            return ""
        return (org.name_en or org.name) if self.lang == "en" else org.name

    def category(self, category_id: int | None) -> str:
        category = self.categories.get(category_id) if category_id is not None else None
        if category is None:
            return ""
        return category.name_en if self.lang == "en" else category.name

    def bodies(self) -> list[Organization]:
        """Active handling bodies (the IOC is not one), sorted by name."""
        return [o for o in self.organizations.values() if o.active and o.kind != "ioc"]

    def active_categories(self) -> list[Category]:
        return [c for c in self.categories.values() if c.active]
