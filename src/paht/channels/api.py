"""JSON routes: channel health and the outbox for administrators; a report's additions for its staff."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from paht.channels import delivery, health
from paht.channels.open311.keys_api import admin_only
from paht.deps import AppSettings, ReadSession, SignedIn, WriteSession
from paht.errors import NotFound
from paht.models import ReportAddition
from paht.reports.queries import get_visible
from paht.responses import errors

router = APIRouter(prefix="/api/v1", tags=["channels"], responses=errors(401, 403, 404, 409, 422))


class AdditionOut(BaseModel):
    id: int
    channel: str
    text: str | None
    lat: float | None
    lon: float | None
    photos: int
    created_at: datetime


@router.get("/admin/channels/health", response_model=health.Health)
def channel_health(session: ReadSession, settings: AppSettings, actor: SignedIn) -> Any:
    """Per channel: configured, last message in and out, messages by state; failures; the queue."""
    admin_only(actor)
    return health.channel_health(session, settings)


@router.get("/admin/channels/outbound", response_model=list[health.Failure])
def outbound_attention(
    session: ReadSession,
    actor: SignedIn,
    status: Literal["failed", "uncertain", "pending", "sending", "sent", "dismissed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Messages needing an administrator (failed, uncertain), or those in one `status`."""
    admin_only(actor)
    return [health.failure(row) for row in health.attention(session, status=status, limit=limit)]


@router.post("/admin/channels/outbound/{outbound_id}/retry", response_model=health.Failure)
def retry(outbound_id: int, session: WriteSession, actor: SignedIn) -> Any:
    """Send a failed or uncertain message again."""
    admin_only(actor)
    row = delivery.retry(session, outbound_id)
    if row is None:
        raise NotFound("Không có tin nhắn này (no such message).")
    session.commit()
    return health.failure(row)


@router.post("/admin/channels/outbound/{outbound_id}/dismiss", response_model=health.Failure)
def dismiss(outbound_id: int, session: WriteSession, actor: SignedIn) -> Any:
    """Close a failed or uncertain message without sending it (e.g. the citizen did get it)."""
    admin_only(actor)
    row = delivery.dismiss(session, outbound_id)
    if row is None:
        raise NotFound("Không có tin nhắn này (no such message).")
    session.commit()
    return health.failure(row)


@router.get("/reports/{report_id}/additions", response_model=list[AdditionOut])
def additions(report_id: uuid.UUID, session: ReadSession, actor: SignedIn) -> Any:
    """What the citizen added on their channel after the report was made (text, place, photo count)."""
    get_visible(session, report_id, actor)
    rows = session.scalars(
        select(ReportAddition).where(ReportAddition.report_id == report_id).order_by(ReportAddition.id)
    )
    return [AdditionOut.model_validate(r, from_attributes=True) for r in rows]
