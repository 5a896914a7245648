"""Personal-data rights over the API: the reporter's own export, correction and erasure (bearer of the
reporting account, or the report's secret in X-Reporter-Token), and the IOC's list of written requests
with their legal clocks. Routes that return contact details carry `x-pii` in the OpenAPI document."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from paht.clock import utc_now
from paht.deps import AppSettings, CurrentActor, ReadSession, SignedIn, WriteSession
from paht.errors import NotPermitted
from paht.intake.schemas import Reporter
from paht.privacy import requests, service
from paht.responses import errors

router = APIRouter(prefix="/api/v1", tags=["personal data"], responses=errors(400, 401, 403, 404, 409, 422))
PII = {"x-pii": True}
ReporterToken = Annotated[str | None, Header(alias="X-Reporter-Token")]
RequestId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(max_length=32, description="the report's tracking code, PA-XXXXXXXX")]
    kind: Literal["export", "correct", "erase"]
    reference: Annotated[str | None, Field(max_length=100, description="the letter's number; no personal data")] = None
    received_at: AwareDatetime | None = Field(None, description="when the request reached the city (default: now)")


class RequestOut(BaseModel):
    id: int
    report_code: str
    kind: str
    source: str
    status: str
    reference: str | None
    received_at: datetime
    respond_due_at: datetime
    complete_due_at: datetime
    responded_at: datetime | None
    completed_at: datetime | None
    respond_overdue: bool
    complete_overdue: bool


def _out(view: requests.RequestView) -> RequestOut:
    r = view.request
    return RequestOut(
        id=r.id,
        report_code=view.report_code,
        kind=r.kind,
        source=r.source,
        status=r.status,
        reference=r.reference,
        received_at=r.received_at,
        respond_due_at=r.respond_due_at,
        complete_due_at=r.complete_due_at,
        responded_at=r.responded_at,
        completed_at=r.completed_at,
        respond_overdue=view.respond_overdue,
        complete_overdue=view.complete_overdue,
    )


def _view(session: Any, request_id: int) -> RequestOut:
    (view,) = requests.list_requests(session, now=utc_now(), status=None, request_id=request_id)
    return _out(view)


@router.get("/reports/{report_id}/personal-data", response_model=dict[str, Any], openapi_extra=PII)
def export_mine(
    report_id: uuid.UUID, session: WriteSession, actor: CurrentActor, settings: AppSettings, token: ReporterToken = None
) -> Any:
    """Everything PAHT holds about the reporter of this report, as JSON."""
    result = service.by_reporter(session, report_id, "export", actor=actor, reporter_token=token, settings=settings)
    session.commit()
    return result


@router.patch("/reports/{report_id}/personal-data", response_model=dict[str, Any])
def correct_mine(
    report_id: uuid.UUID,
    changes: Reporter,
    session: WriteSession,
    actor: CurrentActor,
    settings: AppSettings,
    token: ReporterToken = None,
) -> Any:
    """Correct the name, phone or e-mail; only the fields sent change (null clears one)."""
    result = service.by_reporter(
        session, report_id, "correct", actor=actor, reporter_token=token, settings=settings, changes=changes
    )
    session.commit()
    return result


@router.delete("/reports/{report_id}/personal-data", response_model=dict[str, Any])
def erase_mine(
    report_id: uuid.UUID, session: WriteSession, actor: CurrentActor, settings: AppSettings, token: ReporterToken = None
) -> Any:
    """Erase the reporter's personal data; the report and its published result stay."""
    result = service.by_reporter(session, report_id, "erase", actor=actor, reporter_token=token, settings=settings)
    session.commit()
    return result


@router.get("/privacy/requests", response_model=list[RequestOut])
def list_requests(
    session: ReadSession, actor: SignedIn, status: Annotated[Literal["open", "done", "all"], Query()] = "open"
) -> Any:
    """IOC: personal-data requests with their clocks (answer in 2 working days, complete in 15 days)."""
    if not actor.is_ioc:
        raise NotPermitted("Chỉ IOC xem các yêu cầu về dữ liệu cá nhân (IOC only).")
    views = requests.list_requests(session, now=utc_now(), status=None if status == "all" else status)
    return [_out(v) for v in views]


@router.post("/privacy/requests", response_model=RequestOut, status_code=201)
def open_request(body: RequestIn, session: WriteSession, actor: SignedIn, settings: AppSettings) -> Any:
    """IOC: record a citizen's written request; its clocks start at `received_at`."""
    request = service.open_written(
        session,
        body.code,
        body.kind,
        actor=actor,
        settings=settings,
        reference=body.reference,
        received_at=body.received_at,
    )
    session.commit()
    return _view(session, request.id)


@router.post("/privacy/requests/{request_id}/answer", response_model=RequestOut)
def answer_request(request_id: RequestId, session: WriteSession, actor: SignedIn) -> Any:
    """IOC: the citizen has been answered (this stops the 2-working-day clock)."""
    service.respond_written(session, request_id, actor=actor)
    session.commit()
    return _view(session, request_id)


@router.post("/privacy/requests/{request_id}/complete", response_model=dict[str, Any], openapi_extra=PII)
def complete_request(
    request_id: RequestId,
    session: WriteSession,
    actor: SignedIn,
    settings: AppSettings,
    changes: Reporter | None = None,
) -> Any:
    """IOC: carry out the request (an export returns the data to send to the citizen; a correction needs the
    new fields)."""
    result = service.complete_written(session, request_id, actor=actor, settings=settings, changes=changes)
    session.commit()
    return result
