"""Citizens' "me too": one per citizen account or per device, counted and shown publicly.

A report marked as a duplicate sends its supporters to the original; the count shown is the
supporters plus the duplicates filed about the same thing.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.clock import utc_now
from paht.errors import BadRequest, InvalidTransition, NotFound
from paht.models import Report, ReportSupporter
from paht.reports.codes import normalise_code
from paht.workflow.states import ReportState

CLOSED = {ReportState.rejected}


def find(session: Session, ref: str) -> Report:
    """A report by its id or its tracking code (citizens know only the code)."""
    try:
        report = session.get(Report, uuid.UUID(ref))
    except ValueError:
        code = normalise_code(ref)
        report = session.scalar(select(Report).where(Report.code == code)) if code else None
    if report is None:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    return report


def find_by_code(session: Session, code: str) -> Report:
    """For the public count: by tracking code only, and never a rejected report."""
    normal = normalise_code(code)
    report = session.scalar(select(Report).where(Report.code == normal)) if normal else None
    if report is None or report.state in CLOSED:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    return report


def _root(session: Session, report: Report) -> Report:
    if report.duplicate_of_id is not None:
        original = session.get(Report, report.duplicate_of_id)
        if original is not None:
            return original
    return report


def count(session: Session, report_id: uuid.UUID) -> int:
    supporters = session.scalar(select(func.count()).where(ReportSupporter.report_id == report_id)) or 0
    duplicates = session.scalar(select(func.count()).where(Report.duplicate_of_id == report_id)) or 0
    return supporters + duplicates


def _device_hash(device_id: str | None) -> str:
    if device_id is None or not 8 <= len(device_id) <= 128 or not device_id.isprintable():
        raise BadRequest(
            "Cần đăng nhập hoặc gửi X-Device-Id (8–128 ký tự) (sign in, or send an X-Device-Id of 8–128 characters)."
        )
    return hashlib.sha256(device_id.encode()).hexdigest()


def add(session: Session, ref: str, *, actor: Actor, device_id: str | None) -> tuple[Report, int, bool]:
    """Add the caller's "me too"; a second one from the same citizen or device changes nothing."""
    report = _root(session, find(session, ref))
    if report.state in CLOSED:
        raise InvalidTransition("Phản ánh này đã bị từ chối; không thể cùng phản ánh (the report was rejected).")
    who = {"user_id": actor.user_id} if actor.user_id is not None else {"device_hash": _device_hash(device_id)}
    column = ReportSupporter.user_id if "user_id" in who else ReportSupporter.device_hash
    own = actor.user_id is not None and report.reporter_user_id == actor.user_id
    known = session.scalar(
        select(ReportSupporter.id).where(ReportSupporter.report_id == report.id, column == next(iter(who.values())))
    )
    added = False
    if not own and known is None:
        try:
            with session.begin_nested():  # a simultaneous twin loses on the unique constraint, harmlessly
                session.add(ReportSupporter(report_id=report.id, created_at=utc_now(), **who))
            added = True
        except IntegrityError:
            added = False
    return report, count(session, report.id), added
