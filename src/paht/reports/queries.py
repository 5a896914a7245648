"""Reading reports, always through the caller's visibility scope (what you may not see is 404)."""

from __future__ import annotations

import base64
import json
import operator
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.clock import as_utc, utc_now
from paht.enums import EventKind
from paht.errors import Invalid, NotFound
from paht.models import Assignment, Event, Report, SlaClock
from paht.prepared import Shapes, limited, named, page_rows
from paht.search.engine import Match, Scope
from paht.search.queries import narrowed, searched_page
from paht.sla.service import RUNNING_CLOCKS, started_clock


def _visibility(actor: Actor) -> dict[str, Any]:
    """The values `visible(actor)` names: the bodies whose reports `actor` reads, and its own user."""
    params: dict[str, Any] = {}
    if actor.is_ioc:
        return params
    if actor.readable_org_ids and actor.has(Role.handler, Role.leader, Role.viewer):
        params |= {f"visible_org_{i}": org for i, org in enumerate(sorted(actor.readable_org_ids))}
    if actor.user_id is not None:
        params["visible_user"] = actor.user_id
    return params


def visible(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition that limits reports to those `actor` may read."""
    if actor.is_ioc:
        return true()
    params = _visibility(actor)
    conditions: list[ColumnElement[bool]] = []
    orgs = [named(name, org, Assignment.organization_id) for name, org in params.items() if name != "visible_user"]
    if orgs:
        conditions.append(exists().where(Assignment.report_id == Report.id, Assignment.organization_id.in_(orgs)))
    if "visible_user" in params:
        conditions.append(
            Report.reporter_user_id == named("visible_user", params["visible_user"], Report.reporter_user_id)
        )
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


def _overdue_clause(now: datetime) -> ColumnElement[bool]:
    due = SlaClock.due_at < named("overdue_now", now, SlaClock.due_at)
    return exists().where(SlaClock.report_id == Report.id, SlaClock.stopped_at.is_(None), due)


# Each single-valued filter: its name (in `ReportFilters` and as the statement's parameter), column and test.
_FILTERS = (
    ("organization_id", Report.current_organization_id, operator.eq),
    ("category_id", Report.category_id, operator.eq),
    ("channel", Report.channel, operator.eq),
    ("created_from", Report.created_at, operator.ge),
    ("created_to", Report.created_at, operator.lt),
)


def _filter_values(filters: ReportFilters) -> dict[str, Any]:
    """The values of the filters that are set, by parameter name (the search words `q` aside)."""
    # Each state once: a repeated state would otherwise make a new shape per repetition (paht.prepared.Shapes).
    states = dict.fromkeys(filters.state or ())
    params: dict[str, Any] = {f"state_{i}": state for i, state in enumerate(states)}
    for name, _, _ in _FILTERS:
        if (value := getattr(filters, name)) is not None and value != "":
            params[name] = value
    if filters.overdue is not None:
        params["overdue_now"] = utc_now()
    return params


def _page_values(after: tuple[datetime, uuid.UUID] | None, limit: int) -> dict[str, Any]:
    """The keyset page's values: after which row (the cursor's), and how many rows (one more than shown)."""
    params: dict[str, Any] = {"after_created": after[0], "after_id": after[1]} if after is not None else {}
    return params | page_rows(limit + 1)


def _keyset(query: Select, params: dict[str, Any]) -> Select:
    """`query` newest first, after the cursor's row, one more row than the page shows (is there a next page?)."""
    if "after_created" in params:
        created = named("after_created", params["after_created"], Report.created_at)
        query = query.where(
            or_(
                Report.created_at < created,
                and_(Report.created_at == created, Report.id < named("after_id", params["after_id"], Report.id)),
            )
        )
    return limited(query.order_by(Report.created_at.desc(), Report.id.desc()), params)


# The staff list's pages (W3, and with search words W4), one prepared statement per shape (paht.prepared.Shapes):
# building, caching and loading the ORM statement cost about as much CPU as the query (a search's ~2 ms of
# Python around ~0.5 ms of SQLite at 1,000,000 reports).
KEYSET_PAGES = Shapes()


def reads_once(filters: ReportFilters) -> bool:
    """Whether a staff page with these filters is one kept statement (no search words): it may then be read
    on a connection of `Database.single_read` instead of a session."""
    return not filters.q


def needs_session(source: Session | Connection) -> Session:
    """`source` when it is a session: searched pages load ORM rows and read more than once."""
    if not isinstance(source, Session):
        raise TypeError("a page with search words is read in a session, not on a single-read connection")
    return source


def list_visible(
    session: Session | Connection,
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
    paging = _page_values(after, limit)
    if columns:
        rows = _kept_page(session, actor, filters, paging, columns, continued=after is not None)
    else:
        session = needs_session(session)
        base = filtered_visible(actor, filters)
        rows = searched_page(
            session,
            base,
            filters.q,
            Scope.staff,
            lambda match: list(session.scalars(_keyset(narrowed(base, match), paging))),
            continued=after is not None,
        )
    page = rows[:limit]
    return page, encode_cursor(page[-1]) if len(rows) > limit else None


def _kept_page(
    source: Session | Connection,
    actor: Actor,
    filters: ReportFilters,
    paging: dict[str, Any],
    columns: Sequence[InstrumentedAttribute[Any]],
    *,
    continued: bool,
) -> list[Any]:
    """The page's rows of `columns`, read by a statement kept per shape (`KEYSET_PAGES`): the filters that are
    set, the caller's kind of visibility and, with search words, how the index finds them (`Match.shape`)."""
    params = _visibility(actor) | _filter_values(filters) | paging
    shape = (actor.is_ioc, filters.overdue, tuple(c.key for c in columns), tuple(params))

    def rows_of(match: Match | None) -> list[Any]:
        def statement() -> Select:  # at the shape's first page only
            return _keyset(narrowed(filtered_visible(actor, filters), match), paging).with_only_columns(*columns)

        values = params if match is None else params | match.params
        return KEYSET_PAGES.rows(source, (shape, match and match.shape), statement, **values)

    if not filters.q:
        return rows_of(None)
    base = filtered_visible(actor, filters)
    return searched_page(needs_session(source), base, filters.q, Scope.staff, rows_of, continued=continued)


def filtered_visible(actor: Actor, filters: ReportFilters) -> Select:
    """The caller's visible reports that pass `filters` but the search words `filters.q`, unordered: the lists
    (`searched_page`) and the ranking (`ranked_page`) each search them their own way. Every value is a named
    parameter (`_filter_values`), so that `KEYSET_PAGES` can keep the statement."""
    values = _filter_values(filters)
    query = select(Report).where(visible(actor))
    if states := [named(name, v, Report.state) for name, v in values.items() if name.startswith("state_")]:
        query = query.where(Report.state.in_(states))
    for name, column, test in _FILTERS:
        if name in values:
            query = query.where(test(column, named(name, values[name], column)))
    if filters.overdue is not None:
        overdue = _overdue_clause(values["overdue_now"])
        query = query.where(overdue if filters.overdue else ~overdue)
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
    started = started_clock(session, report_id)
    return started if started is not None else session.scalar(_RUNNING_CLOCK, {"report_id": report_id})
