"""Citizens' rights over one report's personal data, by the reporter (token or account) or by the IOC on
a written request. Every operation is a tracked request and one audit event naming fields, not values."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.clock import utc_now
from paht.config import Settings
from paht.errors import Invalid, NotFound, NotPermitted
from paht.intake.schemas import Reporter
from paht.models import PrivacyRequest, Report
from paht.privacy import requests
from paht.privacy.correct import correct_contact
from paht.privacy.erase import erase_personal_data
from paht.privacy.export import personal_data
from paht.reports.codes import normalise_code
from paht.reports.reporter import report_as_reporter

# A letter may be entered late, but a request older than this is a typing mistake.
MAX_BACKDATE = timedelta(days=365)
EVENT_FOR = {"export": "privacy_exported", "correct": "privacy_corrected", "erase": "privacy_erased"}


def _perform(
    session: Session,
    report: Report,
    request: PrivacyRequest,
    *,
    actor: Actor,
    settings: Settings,
    changes: Reporter | None,
) -> dict[str, Any]:
    now = utc_now()
    if request.kind == "export":
        result: dict[str, Any] = personal_data(session, report)
        payload: dict[str, Any] = {"request_id": request.id}
    elif request.kind == "correct":
        if changes is None:
            raise Invalid("Cần thông tin cần sửa (the corrected name, phone or e-mail is required).")
        fields = correct_contact(session, report, changes)
        result = payload = {"request_id": request.id, "fields": fields}
    else:
        erasure = erase_personal_data(session, report, settings=settings, now=now)
        result = payload = {"request_id": request.id} | erasure.payload()
    requests.finish(request, actor=actor, now=now)
    requests.audit(session, report, EVENT_FOR[request.kind], actor, payload, now)
    return result


def by_reporter(
    session: Session,
    report_id: uuid.UUID,
    kind: str,
    *,
    actor: Actor,
    reporter_token: str | None,
    settings: Settings,
    changes: Reporter | None = None,
) -> dict[str, Any]:
    """The reporter's own request, proven by the report's secret or their account: done at once."""
    report = report_as_reporter(session, report_id, actor, reporter_token)
    request = requests.open_request(
        session,
        report,
        kind=kind,
        source=requests.FROM_REPORTER,
        actor=actor,
        settings=settings,
        received_at=utc_now(),
    )
    return _perform(session, report, request, actor=actor, settings=settings, changes=changes)


def _require_ioc(actor: Actor) -> None:
    if not actor.is_ioc:
        raise NotPermitted("Chỉ IOC xử lý yêu cầu về dữ liệu cá nhân (only the IOC handles personal-data requests).")


def open_written(
    session: Session,
    code: str,
    kind: str,
    *,
    actor: Actor,
    settings: Settings,
    reference: str | None,
    received_at: datetime | None = None,
) -> PrivacyRequest:
    """Record a citizen's written request (letter, form at the counter); its clocks start at receipt."""
    _require_ioc(actor)
    if kind not in requests.KINDS:
        raise Invalid(f"Loại yêu cầu không hợp lệ: {kind} (kind must be export, correct or erase).")
    now = utc_now()
    received_at = received_at or now
    if not now - MAX_BACKDATE <= received_at <= now + timedelta(minutes=5):
        raise Invalid("Ngày nhận yêu cầu không hợp lệ (received_at must be within the past year, not in the future).")
    report = session.scalar(select(Report).where(Report.code == normalise_code(code)))
    if report is None:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    return requests.open_request(
        session,
        report,
        kind=kind,
        source=requests.WRITTEN,
        actor=actor,
        settings=settings,
        received_at=received_at,
        reference=reference,
    )


def respond_written(session: Session, request_id: int, *, actor: Actor) -> PrivacyRequest:
    _require_ioc(actor)
    request, report = requests.get_request(session, request_id)
    requests.respond(request, now=utc_now())
    requests.audit(session, report, "privacy_request_answered", actor, {"request_id": request.id}, utc_now())
    return request


def complete_written(
    session: Session, request_id: int, *, actor: Actor, settings: Settings, changes: Reporter | None = None
) -> dict[str, Any]:
    _require_ioc(actor)
    request, report = requests.get_request(session, request_id)
    if request.status == requests.DONE:
        requests.finish(request, actor=actor, now=utc_now())  # raises Conflict
    return _perform(session, report, request, actor=actor, settings=settings, changes=changes)
