"""Reads for the public: published reports and tracking by code."""

from __future__ import annotations

import base64
import json
import operator
import uuid
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from paht.clock import as_utc
from paht.enums import SERVABLE_SCANS
from paht.errors import Invalid, NotFound
from paht.models import Assignment, Attachment, Category, Organization, Report
from paht.prepared import Prepared, Shapes, limited, named, page_rows
from paht.publishing.schemas import NamedRef, PublicReport, StepTimes, TrackOut
from paht.queryhints import unindexed
from paht.reports.codes import normalise_code
from paht.search.engine import Match, Scope
from paht.search.queries import narrowed, searched_page
from paht.workflow.states import ReportState, as_reporter_sees, label


def _ref(row: Organization | Category | None, lang: str) -> NamedRef | None:
    if row is None:
        return None
    name = (getattr(row, "name_en", None) or row.name) if lang == "en" else row.name
    return NamedRef(id=row.id, code=row.code, name=name)


def _steps(report: Report, assignment: Assignment | None) -> StepTimes:
    return StepTimes(
        received_at=report.created_at,
        dispatched_at=assignment.dispatched_at if assignment else None,
        acknowledged_at=assignment.acknowledged_at if assignment else None,
        result_submitted_at=assignment.result_submitted_at if assignment else None,
        approved_at=assignment.approved_at if assignment else None,
        published_at=report.published_at,
        closed_at=report.closed_at,
    )


def _current_assignment(session: Session, report: Report) -> Assignment | None:
    return session.get(Assignment, report.current_assignment_id) if report.current_assignment_id else None


def _named_columns(model: type[Category] | type[Organization], prefix: str) -> list:
    return [getattr(model, name).label(f"{prefix}_{name}") for name in ("id", "code", "name", "name_en")]


# What the public sees of a report, read as plain columns in one statement: the report, its category, body
# and current assignment, and one row per servable photo (never a quarantined one). Built once at import so
# that a request pays neither statement building nor ORM object loading (issue 7: W2 and the public lists).
# Without the report's id, which the document does not show: converting it to a UUID on every row was ~4 %
# of the public report's CPU (W2); a page read by ids (`_by_ids`) adds it to group its rows by report.
_PUBLIC_COLUMNS = select(
    Report.code,
    Report.public_title,
    Report.public_description,
    Report.public_result,
    Report.urgent,
    Report.lat,
    Report.lon,
    Report.rating,
    Report.created_at,
    Report.published_at,
    Report.closed_at,
    *_named_columns(Category, "category"),
    *_named_columns(Organization, "organization"),
    Assignment.dispatched_at,
    Assignment.acknowledged_at,
    Assignment.result_submitted_at,
    Assignment.approved_at,
    Attachment.id.label("photo_id"),
    Attachment.kind.label("photo_kind"),
    Attachment.width.label("photo_width"),
    Attachment.height.label("photo_height"),
).select_from(
    Report.__table__.outerjoin(Category.__table__, Category.id == Report.category_id)
    .outerjoin(Organization.__table__, Organization.id == Report.current_organization_id)
    .outerjoin(Assignment.__table__, Assignment.id == Report.current_assignment_id)
    .outerjoin(
        Attachment.__table__,
        # Spelled out rather than IN (…): an IN list is rendered again at every execution (a post-compile
        # parameter), which cost this hottest public read (W2) a third of its database time.
        and_(Attachment.report_id == Report.id, or_(*(Attachment.scan_status == scan for scan in SERVABLE_SCANS))),
    )
)
_ORDER_PHOTOS = (Attachment.created_at, Attachment.id)
# The hottest public read (W2): compiled once, run on the driver's cursor (paht.prepared).
PUBLISHED_BY_CODE = Prepared(
    _PUBLIC_COLUMNS.where(Report.code == bindparam("code"), Report.state == ReportState.published).order_by(
        *_ORDER_PHOTOS
    )
)


@lru_cache(maxsize=256)  # one per page size met (the API's pages hold at most 200)
def _by_ids(count: int) -> Prepared:
    """A page's public documents by `count` ids (`id_0` …), kept compiled: an expanding IN list is rendered
    again at every execution, and SQLAlchemy's execution of it was ~12 % of a public search's CPU (W4)."""
    ids = [bindparam(f"id_{i}", type_=Report.id.type) for i in range(count)]
    return Prepared(_PUBLIC_COLUMNS.add_columns(Report.id).where(Report.id.in_(ids)).order_by(*_ORDER_PHOTOS))


def _named(
    id_: int | None, code: str | None, name: str | None, name_en: str | None, lang: str
) -> dict[str, Any] | None:
    if id_ is None:
        return None
    return {"id": id_, "code": code, "name": (name_en or name) if lang == "en" else name}


def public_document(rows: list[Row], *, decimals: int, lang: str) -> dict[str, Any]:
    """One report's rows (one per photo, or one without) as the public's document: `PublicReport`'s fields in
    its order and types, so that `paht.responses.plain_json` writes the bytes pydantic writes for the model
    (tests/api/test_public_fast_path.py holds the two equal for every published report)."""
    r = rows[0]
    return {
        "code": r.code,
        "title": r.public_title,
        "description": r.public_description,
        "result": r.public_result,
        "urgent": r.urgent,
        "category": _named(r.category_id, r.category_code, r.category_name, r.category_name_en, lang),
        "organization": _named(
            r.organization_id, r.organization_code, r.organization_name, r.organization_name_en, lang
        ),
        "lat": round(r.lat, decimals) if r.lat is not None else None,
        "lon": round(r.lon, decimals) if r.lon is not None else None,
        "steps": {
            "received_at": r.created_at,
            "dispatched_at": r.dispatched_at,
            "acknowledged_at": r.acknowledged_at,
            "result_submitted_at": r.result_submitted_at,
            "approved_at": r.approved_at,
            "published_at": r.published_at,
            "closed_at": r.closed_at,
        },
        "rating": {"count": 1 if r.rating else 0, "average": float(r.rating) if r.rating else None},
        "photos": [
            {
                "id": p.photo_id,
                "kind": p.photo_kind,
                "url": f"/api/v1/public/attachments/{p.photo_id}",
                "width": p.photo_width,
                "height": p.photo_height,
            }
            for p in rows
            if p.photo_id is not None
        ],
    }


def published_public_document(
    connection: Session | Connection, code: str, *, decimals: int, lang: str
) -> dict[str, Any] | None:
    """The published report with this tracking code as the public sees it (`public_document`); None if there
    is none."""
    normal = normalise_code(code)
    rows = PUBLISHED_BY_CODE.rows(connection, code=normal) if normal else []
    return public_document(rows, decimals=decimals, lang=lang) if rows else None


def published_public_report(
    connection: Session | Connection, code: str, *, decimals: int, lang: str
) -> PublicReport | None:
    """Validated from one nested dict: one call into pydantic-core builds the document and its parts, where a
    constructor per part made six (10.9 against 7.7 µs a document)."""
    found = published_public_document(connection, code, decimals=decimals, lang=lang)
    return PublicReport.model_validate(found) if found is not None else None


def public_report(session: Session, report: Report, *, decimals: int, lang: str) -> PublicReport:
    return public_reports(session, [report], decimals=decimals, lang=lang)[0]


def public_documents(session: Session, reports: list[Any], *, decimals: int, lang: str) -> list[dict[str, Any]]:
    """A page of published reports' documents (`public_document`) in one query, whatever the page size (no N+1),
    in the page's order."""
    if not reports:
        return []
    by_id: dict[uuid.UUID, list[Row]] = {r.id: [] for r in reports}
    for row in _by_ids(len(by_id)).rows(session, **{f"id_{i}": value for i, value in enumerate(by_id)}):
        by_id[row.id].append(row)
    return [public_document(by_id[r.id], decimals=decimals, lang=lang) for r in reports]


def public_reports(session: Session, reports: list[Any], *, decimals: int, lang: str) -> list[PublicReport]:
    """`public_documents` as models, for the portal's pages."""
    documents = public_documents(session, reports, decimals=decimals, lang=lang)
    return [PublicReport.model_validate(found) for found in documents]


NOT_PUBLISHED = "Không tìm thấy kết quả đã công khai (no published report with this code)."


def published_by_code(session: Session, code: str) -> Report:
    normal = normalise_code(code)
    report = session.scalar(select(Report).where(Report.code == normal)) if normal else None
    if report is None or report.state != ReportState.published:
        raise NotFound(NOT_PUBLISHED)
    return report


LISTED_COLUMNS = (Report.id, Report.code, Report.public_title, Report.lat, Report.lon, Report.published_at)


# Public list pages (the portal's results and map markers; with search words W4), one prepared statement per shape
# (paht.prepared.Shapes): which filters are set, whether after a cursor, and how the index finds the words.
PUBLISHED_PAGES = Shapes()


def list_published(
    session: Session,
    *,
    category_id: int | None,
    organization_id: int | None,
    published_from: datetime | None,
    published_to: datetime | None,
    cursor: str | None,
    limit: int,
    q: str | None = None,
) -> tuple[list[Any], str | None]:
    """A page of published reports as rows of `LISTED_COLUMNS`, newest first, and the cursor for the next."""
    filters = {
        "category_id": category_id,
        "organization_id": organization_id,
        "published_from": published_from,
        "published_to": published_to,
    }
    after = _decode(cursor) if cursor else None
    params = _published_values(**filters) | page_rows(limit + 1)
    if after is not None:
        params |= {"after_at": after[0], "after_id": after[1]}

    def rows_of(match: Match | None) -> list[Any]:
        statement = partial(_page_statement, filters, after, match, params)  # at the shape's first page only
        values = params if match is None else params | match.params
        return PUBLISHED_PAGES.rows(session, (tuple(params), match and match.shape), statement, **values)

    if q:
        base = published_query(**filters)
        rows = searched_page(session, base, q, Scope.public, rows_of, continued=after is not None)
    else:
        rows = rows_of(None)
    page = rows[:limit]
    return page, _encode(page[-1]) if len(rows) > limit else None


def _page_statement(
    filters: dict[str, Any], after: tuple[datetime, uuid.UUID] | None, match: Match | None, params: dict[str, Any]
) -> Select:
    query = narrowed(published_query(**filters), match)
    if after is not None:
        at = named("after_at", after[0], Report.published_at)
        same_time_before = and_(Report.published_at == at, Report.id < named("after_id", after[1], Report.id))
        query = query.where(or_(Report.published_at < at, same_time_before))
    # Callers read the public document by id (public_reports) or a marker's few columns: rows of just those
    # columns (named as the report's attributes), not ORM objects. Loading whole reports cost as much as
    # the search itself (W4); partly loaded objects were still ~12 % of a public search's CPU.
    ordered = query.with_only_columns(*LISTED_COLUMNS).order_by(Report.published_at.desc(), Report.id.desc())
    return limited(ordered, params)


# Each filter of the public lists: its name (as the statement's parameter), column and test.
_PUBLISHED_FILTERS = (
    ("category_id", Report.category_id, operator.eq),
    ("organization_id", Report.current_organization_id, operator.eq),
    ("published_from", Report.published_at, operator.ge),
    ("published_to", Report.published_at, operator.lt),
)


def _published_values(**filters: Any) -> dict[str, Any]:
    """The values of the filters that are set, by parameter name; a time without an offset is read as UTC, like
    everything the API returns."""
    values: dict[str, Any] = {"published_state": ReportState.published}
    for name, _, _ in _PUBLISHED_FILTERS:
        if (value := filters[name]) is not None:
            values[name] = as_utc(value) if isinstance(value, datetime) else value
    return values


def published_query(
    *,
    category_id: int | None,
    organization_id: int | None,
    published_from: datetime | None,
    published_to: datetime | None,
) -> Select:
    """Published reports passing the filters, unordered (search words, which look at the IOC-edited public text
    only, are applied by `list_published` and `paht.search.queries.ranked_page`). Every value is a named
    parameter (`_published_values`), so that `PUBLISHED_PAGES` can keep the statement."""
    values = _published_values(
        category_id=category_id,
        organization_id=organization_id,
        published_from=published_from,
        published_to=published_to,
    )
    # Lists walk ix_reports_published_place newest first and stop at the page's end (paht.queryhints: 3 s → 0.5 ms
    # for a page at 1,000,000 reports on SQLite, whose planner would sort every published report instead).
    state = unindexed(Report.state) == named("published_state", values["published_state"], Report.state)
    query = select(Report).where(state)
    for name, column, test in _PUBLISHED_FILTERS:
        if name in values:
            query = query.where(test(column, named(name, values[name], column)))
    return query


def _encode(report: Report) -> str:
    assert report.published_at is not None
    raw = json.dumps([report.published_at.isoformat(), str(report.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, report_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return as_utc(datetime.fromisoformat(at)), uuid.UUID(report_id)
    except (ValueError, TypeError) as exc:
        raise Invalid("cursor không hợp lệ (invalid cursor)") from exc


def track(session: Session, code: str, *, lang: str) -> TrackOut:
    normal = normalise_code(code)
    report = session.scalar(select(Report).where(Report.code == normal)) if normal else None
    if report is None:
        raise NotFound("Không tìm thấy phản ánh với mã này (no report with this tracking code).")
    original = session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None
    return TrackOut(
        code=report.code,
        state=as_reporter_sees(report.state),  # a held report looks received (paht.abuse)
        state_label=label(as_reporter_sees(report.state), lang),
        urgent=report.urgent,
        channel=report.channel,
        category=_ref(session.get(Category, report.category_id) if report.category_id else None, lang),
        organization=_ref(
            session.get(Organization, report.current_organization_id) if report.current_organization_id else None,
            lang,
        ),
        steps=_steps(report, _current_assignment(session, report)),
        close_reason=report.close_reason if report.state == ReportState.rejected else None,
        duplicate_of_code=original.code if original else None,
        public_result=report.public_result if report.state == ReportState.published else None,
    )
