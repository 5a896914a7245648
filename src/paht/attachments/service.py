"""Store photos of a report (the citizen's) or of its result (the officer's)."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paht.attachments.images import check_and_reencode
from paht.attachments.scan import SCAN_JOB, scanner_for
from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import SERVABLE_SCANS, AttachmentKind, EventKind, ScanStatus
from paht.errors import Invalid, InvalidTransition, NotFound, NotPermitted, PayloadTooLarge
from paht.jobs.queue import enqueue
from paht.models import Attachment, Event, Report
from paht.models.ids import new_id
from paht.reports import queries
from paht.reports.reporter import is_reporter
from paht.workflow.states import CLOSED, ReportState

MAX_PER_REPORT = 20


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def too_large(settings: Settings) -> PayloadTooLarge:
    limit_mb = settings.upload_max_bytes / (1024 * 1024)
    return PayloadTooLarge(f"Ảnh vượt quá {limit_mb:g} MB (the photo is larger than {limit_mb:g} MB).")


def _kind_for(session: Session, report: Report, actor: Actor, reporter_token: str | None) -> AttachmentKind:
    """Who may add what: the reporter and the IOC add to the report, the assigned handler adds result photos."""
    if actor.has(Role.handler) and actor.organization_id == report.current_organization_id:
        if report.state != ReportState.processing:
            raise InvalidTransition(
                "Chỉ thêm ảnh kết quả khi phản ánh đang được xử lý (result photos only while processing)."
            )
        return AttachmentKind.result
    if is_reporter(report, actor, reporter_token) or actor.has(Role.ioc_operator):
        if report.state in CLOSED:
            raise InvalidTransition("Phản ánh đã đóng; không thể thêm ảnh (the report is closed).")
        return AttachmentKind.report
    if actor.is_anonymous:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    queries.get_visible(session, report.id, actor)
    raise NotPermitted("Bạn không được thêm ảnh cho phản ánh này (you may not add photos to this report).")


def add_attachment(
    session: Session,
    report_id: uuid.UUID,
    data: bytes,
    *,
    actor: Actor,
    reporter_token: str | None,
    settings: Settings,
) -> Attachment:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    kind = _kind_for(session, report, actor, reporter_token)
    if len(data) > settings.upload_max_bytes:
        raise too_large(settings)
    count = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id))
    if (count or 0) >= MAX_PER_REPORT:
        raise Invalid(f"Mỗi phản ánh có tối đa {MAX_PER_REPORT} ảnh (at most {MAX_PER_REPORT} photos per report).")
    checked = check_and_reencode(
        data, max_pixels=settings.upload_max_pixels, public_max_side=settings.public_photo_max_side
    )
    attachment_id = new_id()
    folder = settings.data_dir / "attachments" / str(report.id)
    original, public = folder / f"{attachment_id}.orig", folder / f"{attachment_id}.jpg"
    _write_durably(original, data)
    _write_durably(public, checked.public_jpeg)
    now = utc_now()
    attachment = Attachment(
        id=attachment_id,
        report_id=report.id,
        kind=kind,
        content_type=checked.content_type,
        original_path=str(original),
        public_path=str(public),
        size_bytes=len(data),
        width=checked.width,
        height=checked.height,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.user_id,
        created_at=now,
        scan_status=ScanStatus.pending if scanner_for(settings) else ScanStatus.not_scanned,
    )
    session.add(attachment)
    if attachment.scan_status == ScanStatus.pending:  # served once the job finds it clean (paht.attachments.scan)
        enqueue(session, SCAN_JOB, {"attachment_id": str(attachment_id)})
    session.add(
        Event(
            report_id=report.id,
            kind=EventKind.attachment_added,
            actor_id=actor.user_id,
            organization_id=actor.organization_id,
            payload={"attachment_id": str(attachment_id), "kind": kind.value},
            created_at=now,
        )
    )
    return attachment


def list_for(session: Session, report_id: uuid.UUID, *, servable_only: bool = True) -> list[Attachment]:
    """The report's photos; by default only those that may be shown (not waiting for or failing the scan)."""
    query = select(Attachment).where(Attachment.report_id == report_id)
    if servable_only:
        query = query.where(Attachment.scan_status.in_(SERVABLE_SCANS))
    return list(session.scalars(query.order_by(Attachment.created_at)))


def _require_servable(attachment: Attachment) -> None:
    if attachment.scan_status == ScanStatus.pending:
        raise NotFound("Ảnh đang được kiểm tra mã độc; hãy thử lại sau (the photo is still being scanned).")
    if attachment.scan_status not in SERVABLE_SCANS:
        raise NotFound("Ảnh đã bị cách ly vì chứa mã độc (the photo was quarantined: malware).")


def public_file(session: Session, attachment_id: uuid.UUID) -> Path:
    attachment = session.get(Attachment, attachment_id)
    report = session.get(Report, attachment.report_id) if attachment else None
    if attachment is None or report is None or report.state != ReportState.published:
        raise NotFound("Không tìm thấy ảnh (no such public photo).")
    _require_servable(attachment)
    return Path(attachment.public_path)


def staff_file(session: Session, report_id: uuid.UUID, attachment_id: uuid.UUID, actor: Actor) -> Attachment:
    queries.get_visible(session, report_id, actor)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.report_id != report_id:
        raise NotFound("Không tìm thấy ảnh (no such photo).")
    _require_servable(attachment)
    return attachment
