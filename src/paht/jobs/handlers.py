"""What each job kind does. A handler runs inside the worker's transaction and must not commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.roles import Role
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import OrgKind
from paht.intake.idempotency import purge_expired
from paht.models import Organization, Report, User, UserRole
from paht.models.infra import Notification
from paht.sla.sweep import sweep_overdue

Handler = Callable[[Session, dict[str, Any], Settings], None]


def _users(session: Session, *, role: Role, organization_id: int | None = None, ioc: bool = False) -> list[User]:
    query = select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role, User.active)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if ioc:
        query = query.join(Organization, Organization.id == User.organization_id).where(
            Organization.kind == OrgKind.ioc
        )
    return list(session.scalars(query))


def _notify(session: Session, users: list[User], *, kind: str, report: Report, message: str) -> None:
    now = utc_now()
    for user in users:
        session.add(Notification(user_id=user.id, kind=kind, report_code=report.code, message=message, created_at=now))


def _report(session: Session, payload: dict[str, Any]) -> Report:
    report = session.get(Report, uuid.UUID(payload["report_id"]))
    if report is None:
        raise LookupError(f"report {payload['report_id']} is gone")
    return report


def notify_body_dispatch(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    handlers = _users(session, role=Role.handler, organization_id=report.current_organization_id)
    _notify(
        session,
        handlers,
        kind="dispatched",
        report=report,
        message=f"Phản ánh {report.code} vừa được chuyển đến đơn vị; xác nhận trong 30 phút.",
    )


def notify_ioc_return(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    _notify(
        session,
        _users(session, role=Role.ioc_operator),
        kind="returned",
        report=report,
        message=f"Phản ánh {report.code} bị trả lại IOC; cần chuyển lại.",
    )


def notify_leaders(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    _notify(
        session,
        _users(session, role=Role.leader, organization_id=report.current_organization_id),
        kind="awaiting_approval",
        report=report,
        message=f"Kết quả phản ánh {report.code} chờ phê duyệt.",
    )


def notify_ioc_editors(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    _notify(
        session,
        _users(session, role=Role.ioc_editor),
        kind="approved",
        report=report,
        message=f"Kết quả phản ánh {report.code} đã được phê duyệt; chờ biên tập và công khai.",
    )


def notify_handlers(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    _notify(
        session,
        _users(session, role=Role.handler, organization_id=report.current_organization_id),
        kind="sent_back",
        report=report,
        message=f"Kết quả phản ánh {report.code} bị trả lại để xử lý lại.",
    )


def escalate(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """A breached deadline: tell the body's leaders and the IOC operators (DESIGN.md §5)."""
    report = _report(session, payload)
    message = f"Phản ánh {report.code} quá hạn ở bước «{payload['stage']}»."
    leaders = (
        _users(session, role=Role.leader, organization_id=report.current_organization_id)
        if (report.current_organization_id)
        else []
    )
    _notify(
        session,
        leaders + _users(session, role=Role.ioc_operator),
        kind="sla_breached",
        report=report,
        message=message,
    )


def notify_reporter(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Replies to the citizen go out on the channel they used; the channel adapters deliver them.

    Until a channel adapter is configured for the report's channel there is nothing to send: the
    citizen follows progress with the tracking code (GET /api/v1/track/{code}).
    """


def sweep(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    sweep_overdue(session)


def purge_idempotency(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    purge_expired(session, older_than_hours=settings.idempotency_retention_hours)


HANDLERS: dict[str, Handler] = {
    "notify_body_dispatch": notify_body_dispatch,
    "notify_ioc_return": notify_ioc_return,
    "notify_leaders": notify_leaders,
    "notify_ioc_editors": notify_ioc_editors,
    "notify_handlers": notify_handlers,
    "notify_reporter": notify_reporter,
    "escalate": escalate,
    "sweep": sweep,
    "purge_idempotency": purge_idempotency,
}
