"""Reads for the public: published reports and tracking by code."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from paht.clock import as_utc
from paht.errors import Invalid, NotFound
from paht.models import Assignment, Attachment, Category, Organization, Report
from paht.publishing.schemas import NamedRef, PublicPhoto, PublicReport, RatingSummary, StepTimes, TrackOut
from paht.reports.codes import normalise_code
from paht.search.engine import Scope
from paht.search.queries import narrow
from paht.workflow.states import ReportState, label


def _ref(row: Organization | Category | None, lang: str) -> NamedRef | None:
    if row is None:
        return None
    name = (getattr(row, "name_en", None) or row.name) if lang == "en" else row.name
    return NamedRef(id=row.id, code=row.code, name=name)


def _steps(session: Session, report: Report) -> StepTimes:
    assignment = session.get(Assignment, report.current_assignment_id) if report.current_assignment_id else None
    return StepTimes(
        received_at=report.created_at,
        dispatched_at=assignment.dispatched_at if assignment else None,
        acknowledged_at=assignment.acknowledged_at if assignment else None,
        result_submitted_at=assignment.result_submitted_at if assignment else None,
        approved_at=assignment.approved_at if assignment else None,
        published_at=report.published_at,
        closed_at=report.closed_at,
    )


def public_report(session: Session, report: Report, *, decimals: int, lang: str) -> PublicReport:
    photos = session.scalars(
        select(Attachment).where(Attachment.report_id == report.id).order_by(Attachment.created_at)
    )
    return PublicReport(
        code=report.code,
        title=report.public_title,
        description=report.public_description,
        result=report.public_result,
        urgent=report.urgent,
        category=_ref(session.get(Category, report.category_id) if report.category_id else None, lang),
        organization=_ref(
            session.get(Organization, report.current_organization_id) if report.current_organization_id else None,
            lang,
        ),
        lat=round(report.lat, decimals) if report.lat is not None else None,
        lon=round(report.lon, decimals) if report.lon is not None else None,
        steps=_steps(session, report),
        rating=RatingSummary(count=1 if report.rating else 0, average=float(report.rating) if report.rating else None),
        photos=[
            PublicPhoto(id=p.id, kind=p.kind, url=f"/api/v1/public/attachments/{p.id}", width=p.width, height=p.height)
            for p in photos
        ],
    )


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
        state=report.state,
        state_label=label(report.state, lang),
        urgent=report.urgent,
        channel=report.channel,
        category=_ref(session.get(Category, report.category_id) if report.category_id else None, lang),
        organization=_ref(
            session.get(Organization, report.current_organization_id) if report.current_organization_id else None,
            lang,
        ),
        steps=_steps(session, report),
        close_reason=report.close_reason if report.state == ReportState.rejected else None,
        duplicate_of_code=original.code if original else None,
        public_result=report.public_result if report.state == ReportState.published else None,
    )
