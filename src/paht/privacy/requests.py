"""Data-subject requests and their legal clocks: respond within 2 working days (on the city's working
calendar), complete within 15 days (Decree 356/2025/ND-CP). Every step is an audit event without PII."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.config import Settings
from paht.errors import Conflict, NotFound
from paht.models import Event, PrivacyRequest, Report
from paht.sla.deadlines import calendar_for

RESPOND_WORKING_DAYS = 2
COMPLETE_DAYS = 15
KINDS = ("export", "correct", "erase")
OPEN, DONE = "open", "done"
FROM_REPORTER, WRITTEN = "reporter", "written"


def audit(session: Session, report: Report, kind: str, actor: Actor, payload: dict, now: datetime) -> None:
    """One event per personal-data operation; payloads name fields and requests, never values."""
    session.add(
        Event(
            report_id=report.id,
            kind=kind,
            actor_id=actor.user_id,
            actor_role=sorted(r.value for r in actor.roles)[0] if actor.roles else None,
            organization_id=actor.organization_id,
            payload=payload,
            created_at=now,
        )
    )


def open_request(
    session: Session,
    report: Report,
    *,
    kind: str,
    source: str,
    actor: Actor,
    settings: Settings,
    received_at: datetime,
    reference: str | None = None,
) -> PrivacyRequest:
    request = PrivacyRequest(
        report_id=report.id,
        kind=kind,
        source=source,
        status=OPEN,
        reference=reference,
        received_at=received_at,
        respond_due_at=calendar_for(settings).add_working_days(received_at, RESPOND_WORKING_DAYS),
        complete_due_at=received_at + timedelta(days=COMPLETE_DAYS),
        handled_by_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    if source == WRITTEN:  # a reporter's own request is done at once; its operation event names it
        audit(session, report, "privacy_request_opened", actor, _summary(request), received_at)
    return request


def finish(request: PrivacyRequest, *, actor: Actor, now: datetime) -> None:
    if request.status == DONE:
        raise Conflict(f"Yêu cầu {request.id} đã hoàn tất (request {request.id} is already done).")
    request.status = DONE
    request.responded_at = request.responded_at or now
    request.completed_at = now
    request.handled_by_id = actor.user_id or request.handled_by_id


def respond(request: PrivacyRequest, *, now: datetime) -> None:
    """The first answer to the citizen (acknowledgement or refusal with reasons), which stops the 2-day clock."""
    request.responded_at = request.responded_at or now


def get_request(session: Session, request_id: int) -> tuple[PrivacyRequest, Report]:
    request = session.get(PrivacyRequest, request_id)
    report = session.get(Report, request.report_id) if request else None
    if request is None or report is None:
        raise NotFound(f"Không có yêu cầu {request_id} (no such request).")
    return request, report


@dataclass(frozen=True)
class RequestView:
    request: PrivacyRequest
    report_code: str
    respond_overdue: bool
    complete_overdue: bool


def list_requests(
    session: Session, *, now: datetime, status: str | None = OPEN, request_id: int | None = None
) -> list[RequestView]:
    query = select(PrivacyRequest, Report.code).join(Report, Report.id == PrivacyRequest.report_id)
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    if request_id is not None:
        query = query.where(PrivacyRequest.id == request_id)
    rows = session.execute(query.order_by(PrivacyRequest.complete_due_at, PrivacyRequest.id)).all()
    return [
        RequestView(
            request=request,
            report_code=code,
            respond_overdue=request.responded_at is None and now > request.respond_due_at,
            complete_overdue=request.completed_at is None and now > request.complete_due_at,
        )
        for request, code in rows
    ]


def _summary(request: PrivacyRequest) -> dict:
    return {"request_id": request.id, "kind": request.kind, "source": request.source, "status": request.status}
