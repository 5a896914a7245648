"""The signed-in staff member's console notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func, literal, select, update

from paht.clock import utc_now
from paht.deps import ReadSession, SignedIn, WriteSession
from paht.errors import NotFound
from paht.models import Notification
from paht.responses import errors

router = APIRouter(prefix="/api/v1", tags=["notifications"], responses=errors(401, 403, 404, 422))


class NotificationOut(BaseModel):
    id: int
    kind: str
    report_code: str | None
    message: str
    created_at: datetime
    read_at: datetime | None


@router.get("/notifications", response_model=list[NotificationOut])
def my_notifications(
    session: ReadSession,
    actor: SignedIn,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit))
    return [NotificationOut.model_validate(n, from_attributes=True) for n in rows]


@router.post("/notifications/{notification_id}/read", status_code=204)
def mark_read(notification_id: int, session: WriteSession, actor: SignedIn) -> None:
    """Mark one of your notifications read; marking it again keeps the first read time."""
    done = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == actor.user_id)
        .values(read_at=func.coalesce(Notification.read_at, literal(utc_now(), Notification.read_at.type)))
    )
    if done.rowcount != 1:
        raise NotFound("Không có thông báo này (no such notification).")
    session.commit()
