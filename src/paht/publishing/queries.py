"""Reads for the public: published reports and tracking by code."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from paht.clock import as_utc
from paht.enums import SERVABLE_SCANS
from paht.errors import Invalid, NotFound
from paht.models import Assignment, Attachment, Category, Organization, Report
from paht.publishing.schemas import NamedRef, PublicPhoto, PublicReport, RatingSummary, StepTimes, TrackOut
from paht.reports.codes import normalise_code
from paht.search.engine import Scope
from paht.search.queries import narrow
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


def public_report(session: Session, report: Report, *, decimals: int, lang: str) -> PublicReport:
    return public_reports(session, [report], decimals=decimals, lang=lang)[0]


def public_reports(session: Session, reports: list[Report], *, decimals: int, lang: str) -> list[PublicReport]:
    """A page of published reports in a fixed number of queries, whatever the page size (no N+1)."""
    if not reports:
        return []
    ids = [r.id for r in reports]
    photos: dict[uuid.UUID, list[Attachment]] = {}
    for photo in session.scalars(
        select(Attachment)
        .where(Attachment.report_id.in_(ids), Attachment.scan_status.in_(SERVABLE_SCANS))  # never a quarantined one
        .order_by(Attachment.created_at, Attachment.id)
    ):
        photos.setdefault(photo.report_id, []).append(photo)
    assignments = _by_id(session, Assignment, {r.current_assignment_id for r in reports})
    categories = _by_id(session, Category, {r.category_id for r in reports})
    organizations = _by_id(session, Organization, {r.current_organization_id for r in reports})
    return [
        PublicReport(
            code=r.code,
            title=r.public_title,
            description=r.public_description,
            result=r.public_result,
            urgent=r.urgent,
            category=_ref(categories.get(r.category_id), lang),
            organization=_ref(organizations.get(r.current_organization_id), lang),
            lat=round(r.lat, decimals) if r.lat is not None else None,
            lon=round(r.lon, decimals) if r.lon is not None else None,
            steps=_steps(r, assignments.get(r.current_assignment_id)),
            rating=RatingSummary(count=1 if r.rating else 0, average=float(r.rating) if r.rating else None),
            photos=[
                PublicPhoto(
                    id=p.id, kind=p.kind, url=f"/api/v1/public/attachments/{p.id}", width=p.width, height=p.height
                )
                for p in photos.get(r.id, [])
            ],
        )
        for r in reports
    ]


def _by_id(session: Session, model: type, ids: set) -> dict:
    """Rows of `model` by primary key, one query (rows already in the session cost nothing)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def published_by_code(session: Session, code: str) -> Report:
    normal = normalise_code(code)
    report = session.scalar(select(Report).where(Report.code == normal)) if normal else None
    if report is None or report.state != ReportState.published:
        raise NotFound("Không tìm thấy kết quả đã công khai (no published report with this code).")
    return report


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
) -> tuple[list[Report], str | None]:
    query = published_query(
        session,
        q=q,
        category_id=category_id,
        organization_id=organization_id,
        published_from=published_from,
        published_to=published_to,
    )
    if cursor:
        at, report_id = _decode(cursor)
        query = query.where(or_(Report.published_at < at, and_(Report.published_at == at, Report.id < report_id)))
    rows = session.scalars(query.order_by(Report.published_at.desc(), Report.id.desc()).limit(limit + 1)).all()
    page = list(rows[:limit])
    return page, _encode(page[-1]) if len(rows) > limit else None


def published_query(
    session: Session,
    *,
    q: str | None,
    category_id: int | None,
    organization_id: int | None,
    published_from: datetime | None,
    published_to: datetime | None,
) -> Select:
    """Published reports passing the filters, unordered; `q` searches the IOC-edited public text only."""
    query = select(Report).where(Report.state == ReportState.published)
    if category_id is not None:
        query = query.where(Report.category_id == category_id)
    if organization_id is not None:
        query = query.where(Report.current_organization_id == organization_id)
    # A time without an offset is read as UTC, like everything the API returns.
    if published_from is not None:
        query = query.where(Report.published_at >= as_utc(published_from))
    if published_to is not None:
        query = query.where(Report.published_at < as_utc(published_to))
    if q:
        query = narrow(session, query, q, Scope.public)
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
