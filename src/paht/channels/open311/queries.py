"""Reading service requests for Open311: the spec's filters, its 90-day default window, page/page_size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from paht.channels.open311.mapping import CLOSED, Lookups, ShownReport
from paht.enums import SERVABLE_SCANS
from paht.models import Assignment, Attachment, Category, Organization, Report
from paht.prepared import Prepared, Shapes
from paht.reports.codes import normalise_code
from paht.sqltext import UuidText, W3CText
from paht.workflow.states import ReportState

WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class RequestFilters:
    ids: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def lookups(session: Session, reports: Sequence[ShownReport]) -> Lookups:
    """The names of these reports' categories and bodies only (one small query each)."""
    category_ids = {r.category_id for r in reports if r.category_id}
    body_ids = {r.current_organization_id for r in reports if r.current_organization_id}
    return Lookups(
        categories=_by_id(session, (Category.id, Category.code, Category.name), category_ids),
        organizations=_by_id(session, (Organization.id, Organization.name), body_ids),
    )


# The names a response shows, kept by table and number of ids (paht.prepared.Shapes): whole rows loaded by an
# IN list through the ORM cost two thirds of the CPU of a request looked up by its code (W9).
_NAMES = Shapes()


def _by_id(session: Session, columns: tuple[Any, ...], ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    key = columns[0]
    values = {f"id_{i}": value for i, value in enumerate(sorted(ids))}

    def build() -> Select[Any]:
        return select(*columns).where(key.in_([bindparam(name, type_=key.type) for name in values]))

    rows = _NAMES.rows(session, (key.class_.__name__, len(values)), build, **values)
    return {row.id: row for row in rows}


# The first servable photo of a published report, as text (paht.sqltext); spelled out, not IN (…): see
# paht.publishing.queries. Its constants are named parameters (`CONSTANTS`), as `_LISTS` requires of every
# value in a kept statement.
CONSTANTS: dict[str, Any] = {"published": ReportState.published.value} | {
    f"servable_{i}": scan for i, scan in enumerate(SERVABLE_SCANS)
}
_FIRST_PHOTO = (
    select(UuidText(Attachment.id))
    .where(
        Attachment.report_id == Report.id,
        or_(*(Attachment.scan_status == bindparam(f"servable_{i}", scan) for i, scan in enumerate(SERVABLE_SCANS))),
    )
    .order_by(Attachment.kind, Attachment.created_at, Attachment.id)
    # Written into the SQL, not parameters (SQLite's compiler adds an OFFSET parameter of its own when none is set).
    .limit(literal_column("1"))
    .offset(literal_column("0"))
    .correlate(Report)
    .scalar_subquery()
)
_ORIGINAL = aliased(Report)

# What a service request shows (mapping.request_of), joined in one statement: a page is up to 1,000 reports
# (the spec's default), and at 1 M reports the 90-day window fills it. Whole ORM objects plus three lookups
# by 1,000-id IN lists (photos, deadlines, originals) cost 81 ms a page; this costs ~35 (issue 7, W9). Its
# times and photo come as the text the document shows (paht.sqltext), and the report's id, which no document
# shows, not at all.
REQUEST_COLUMNS = (
    select(
        Report.code,
        Report.state,
        Report.category_id,
        Report.current_organization_id,
        Report.public_title,
        Report.public_description,
        Report.public_result,
        Report.close_reason,
        Report.lat,
        Report.lon,
        W3CText(Report.created_at).label("created_w3c"),
        W3CText(Report.updated_at).label("updated_w3c"),
        W3CText(Report.closed_at).label("closed_w3c"),
        case((Report.state == bindparam("published", ReportState.published.value), _FIRST_PHOTO), else_=None).label(
            "photo_id"
        ),
        # Expected fulfilment: the handling deadline of the current assignment, once the body has one.
        W3CText(Assignment.resolve_due_at).label("resolve_due_w3c"),
        _ORIGINAL.code.label("original_code"),
    )
    .select_from(Report)
    .outerjoin(Assignment, Assignment.id == Report.current_assignment_id)
    .outerjoin(_ORIGINAL, _ORIGINAL.id == Report.duplicate_of_id)
)


# One request by its code, compiled once and run on the driver's cursor (paht.prepared): built per call,
# this statement's cache key (joins, a CASE, a correlated subquery) cost ~0.3 ms of a 0.03 ms lookup.
_BY_CODE = Prepared(REQUEST_COLUMNS.where(Report.code == bindparam("code")))


def by_code(session: Session, service_request_id: str) -> Any | None:
    """The request's columns as a named tuple (REQUEST_COLUMNS' names), None if no report has that code."""
    code = normalise_code(service_request_id)
    rows = _BY_CODE.rows(session, code=code) if code else []
    return rows[0] if rows else None


def requests(session: Session, filters: RequestFilters, *, now: datetime) -> list[Any]:
    """Newest first, as named tuples of REQUEST_COLUMNS. `service_request_id` overrides every other filter,
    as the spec says."""
    if filters.ids:
        codes = [c for c in (normalise_code(i) for i in filters.ids) if c]
        query = REQUEST_COLUMNS.where(Report.code.in_(codes)).order_by(Report.created_at.desc())
        return list(session.execute(query))
    start, end = window(filters.start, filters.end, now=now)
    values: dict[str, Any] = {"window_start": start, "window_end": end}
    categories = 0
    if filters.service_codes:
        # The ids first, not a subquery: given values, the planner reads ix_reports_category_created one
        # category at a time, newest first (for one category, the rows in the page's order: no sort).
        category_ids = session.scalars(select(Category.id).where(Category.code.in_(filters.service_codes))).all()
        if not category_ids:
            return []
        values |= {f"category_{i}": category for i, category in enumerate(category_ids)}
        categories = len(category_ids)
    status = None
    if filters.statuses and set(filters.statuses) != {"open", "closed"}:
        status = "closed" if "closed" in filters.statuses else "open"
        values |= {f"closed_{i}": state for i, state in enumerate(_CLOSED_STATES)}
    values |= {"offset": (filters.page - 1) * filters.page_size, "limit": filters.page_size}
    shape = (categories, status)
    return _LISTS.rows(session, shape, lambda: _list_statement(*shape), **CONSTANTS, **values)


_CLOSED_STATES = sorted(s.value for s in CLOSED)
# Lists kept by shape (how many categories, which status) and run on the driver's cursor (paht.prepared):
# a page is up to 1,000 requests, and SQLAlchemy's rows cost ~10 us each to build and to read from.
_LISTS = Shapes()


def _list_statement(categories: int, status: str | None) -> Select[Any]:
    def named(name: str, column: Any) -> Any:
        return bindparam(name, type_=column.type)

    query = REQUEST_COLUMNS.where(
        Report.created_at >= named("window_start", Report.created_at),
        Report.created_at <= named("window_end", Report.created_at),
    )
    if categories:
        query = query.where(
            Report.category_id.in_([named(f"category_{i}", Report.category_id) for i in range(categories)])
        )
    if status is not None:
        closed = Report.state.in_([named(f"closed_{i}", Report.state) for i in range(len(_CLOSED_STATES))])
        query = query.where(closed if status == "closed" else ~closed)
    query = query.order_by(Report.created_at.desc(), Report.id.desc())
    return query.limit(bindparam("limit", 0, type_=Integer())).offset(bindparam("offset", 0, type_=Integer()))


def window(start: datetime | None, end: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """The spec's default: the most recent 90 days; one bound given, the other is 90 days away."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    return start, end
