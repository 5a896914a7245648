"""Reading reports, always through the caller's visibility scope (what you may not see is 404)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.clock import as_utc, utc_now
from paht.enums import EventKind
from paht.errors import Invalid, NotFound
from paht.models import Assignment, Event, Report, SlaClock
from paht.search.engine import Scope
from paht.search.queries import searched_page
from paht.sla.service import RUNNING_CLOCKS


def visible(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition that limits reports to those `actor` may read."""
    if actor.is_ioc:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if actor.readable_org_ids and actor.has(Role.handler, Role.leader, Role.viewer):
        conditions.append(
            exists().where(Assignment.report_id == Report.id, Assignment.organization_id.in_(actor.readable_org_ids))
        )
    if actor.user_id is not None:
        conditions.append(Report.reporter_user_id == actor.user_id)
    return or_(*conditions) if conditions else false()


def get_visible(session: Session, report_id: uuid.UUID, actor: Actor, *, lock: bool = False) -> Report:
    """The report if `actor` may see it, else 404. `lock`: read it under its row lock (FOR NO KEY UPDATE:
    rows that merely reference it can still be added) and fresh from the database, so that a second
    action that waited for the first sees the state the first left behind."""
    query = select(Report).where(Report.id == report_id, visible(actor))
    if lock:
        query = query.with_for_update(key_share=True, of=Report).execution_options(populate_existing=True)
    report = session.scalar(query)
    if report is None:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    return report


@dataclass(frozen=True)
class ReportFilters:
    state: list[str] | None = None
    organization_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None  # full-text search, diacritics ignored (paht.search)


def encode_cursor(report: Any) -> str:
    """The cursor after `report` (a `Report` or a row with its `created_at` and `id`)."""
    raw = json.dumps([report.created_at.isoformat(), str(report.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, report_id = json.loads(raw)
        return as_utc(datetime.fromisoformat(created)), uuid.UUID(report_id)
    except (ValueError, TypeError) as exc:
        raise Invalid("cursor không hợp lệ (invalid cursor)") from exc


def _overdue_clause() -> ColumnElement[bool]:
    return exists().where(SlaClock.report_id == Report.id, SlaClock.stopped_at.is_(None), SlaClock.due_at < utc_now())


def list_visible(
    session: Session,
    actor: Actor,
    filters: ReportFilters,
    *,
    cursor: str | None,
    limit: int,
    columns: Sequence[InstrumentedAttribute[Any]] = (),
) -> tuple[list[Any], str | None]:
    """Newest first, keyset-paginated on (created_at, id): no OFFSET and no COUNT(*).

    Loaded `Report`s, or with `columns` (which must include `id` and `created_at`) rows of just those."""
    after = decode_cursor(cursor) if cursor else None

    def rows_of(query: Select) -> list[Any]:
        if after is not None:
            created, report_id = after
            query = query.where(
                or_(Report.created_at < created, and_(Report.created_at == created, Report.id < report_id))
            )
        query = query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit + 1)
        return list(session.execute(query.with_only_columns(*columns)).all() if columns else session.scalars(query))

    base = filtered_visible(actor, filters)
    rows = searched_page(session, base, filters.q, Scope.staff, rows_of, continued=after is not None)
    page = rows[:limit]
    return page, encode_cursor(page[-1]) if len(rows) > limit else None


def filtered_visible(actor: Actor, filters: ReportFilters) -> Select:
    """The caller's visible reports that pass `filters` but the search words `filters.q`, unordered: the lists
    (`searched_page`) and the ranking (`ranked_page`) each search them their own way."""
    query = select(Report).where(visible(actor))
    if filters.state:
        query = query.where(Report.state.in_(filters.state))
    if filters.organization_id is not None:
        query = query.where(Report.current_organization_id == filters.organization_id)
    if filters.category_id is not None:
        query = query.where(Report.category_id == filters.category_id)
    if filters.channel:
        query = query.where(Report.channel == filters.channel)
    if filters.overdue is not None:
        query = query.where(_overdue_clause() if filters.overdue else ~_overdue_clause())
    if filters.created_from:
        query = query.where(Report.created_at >= filters.created_from)
    if filters.created_to:
        query = query.where(Report.created_at < filters.created_to)
    return query


def events_of(session: Session, report_id: uuid.UUID, *, include_audit: bool = True) -> list[Event]:
    """The timeline; `include_audit=False` leaves out who read the reporter's contact (IOC business only)."""
    query = select(Event).where(Event.report_id == report_id)
    if not include_audit:
        query = query.where(Event.kind != EventKind.contact_viewed)
    return list(session.scalars(query.order_by(Event.id)))


def current_assignment(session: Session, report: Report) -> Assignment | None:
    return session.get(Assignment, report.current_assignment_id) if report.current_assignment_id else None


_RUNNING_CLOCK = RUNNING_CLOCKS.limit(1)


def running_clock(session: Session, report_id: uuid.UUID) -> SlaClock | None:
    return session.scalar(_RUNNING_CLOCK, {"report_id": report_id})
