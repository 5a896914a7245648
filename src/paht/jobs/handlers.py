"""What each job kind does. A handler runs inside the worker's transaction and must not commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.roles import Role
from paht.channels import notify as channel_notify
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import OrgKind
from paht.intake.idempotency import purge_expired
from paht.jobs.queue import enqueue
from paht.models import Assignment, Organization, Report, SlaClock, User, UserRole
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


def _email(
    session: Session, settings: Settings, users: list[User], *, kind: str, report: Report, message: str, key: object
) -> None:
    """The console notice, also by e-mail (when SMTP is configured and PAHT_STAFF_EMAIL is on)."""
    channel_notify.email_staff(session, settings, users, kind=kind, report=report, message=message, key=str(key))


def _report(session: Session, payload: dict[str, Any]) -> Report:
    report = session.get(Report, uuid.UUID(payload["report_id"]))
    if report is None:
        raise LookupError(f"report {payload['report_id']} is gone")
    return report


def notify_body_dispatch(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    handlers = _users(session, role=Role.handler, organization_id=report.current_organization_id)
    message = f"Phản ánh {report.code} vừa được chuyển đến đơn vị; xác nhận trong 30 phút."
    _notify(session, handlers, kind="dispatched", report=report, message=message)
    _email(session, settings, handlers, kind="dispatched", report=report, message=message, key=payload.get("event_id"))
    assignment = session.get(Assignment, report.current_assignment_id) if report.current_assignment_id else None
    if assignment is not None:
        enqueue(
            session,
            "remind_unacknowledged",
            {"report_id": str(report.id), "assignment_id": assignment.id},
            run_after=assignment.dispatched_at + timedelta(minutes=settings.ack_reminder_minutes),
            dedupe_key=f"ack-reminder:{assignment.id}",
        )


def remind_unacknowledged(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """A dispatch still unacknowledged after `ack_reminder_minutes`: remind the body before the 30 minutes run out."""
    report = _report(session, payload)
    assignment = session.get(Assignment, payload["assignment_id"])
    if (
        assignment is None
        or report.current_assignment_id != assignment.id
        or assignment.acknowledged_at is not None
        or assignment.ended_at is not None
    ):
        return
    handlers = _users(session, role=Role.handler, organization_id=assignment.organization_id)
    message = f"Phản ánh {report.code} chưa được xác nhận; hạn xác nhận 30 phút sắp hết."
    _notify(session, handlers, kind="ack_reminder", report=report, message=message)
    _email(session, settings, handlers, kind="ack_reminder", report=report, message=message, key=assignment.id)


def notify_ioc_return(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    report = _report(session, payload)
    operators = _users(session, role=Role.ioc_operator)
    message = f"Phản ánh {report.code} bị trả lại IOC; cần chuyển lại."
    _notify(session, operators, kind="returned", report=report, message=message)
    _email(session, settings, operators, kind="returned", report=report, message=message, key=payload.get("event_id"))


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


# The steps as staff name them, for escalation messages.
STAGE_NAMES = {
    "dispatch": "tiếp nhận, phân phối",
    "acknowledge": "xác nhận tiếp nhận",
    "resolve": "xử lý",
    "approve": "phê duyệt",
    "publish": "biên tập, công khai",
}


def escalate(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """A breached deadline: tell the leaders of the body whose step is late, and the IOC operators (DESIGN.md §5).

    The body is the breached clock's, not the report's current one: the report may have been returned and
    re-dispatched before this job runs. The IOC's own clock (dispatch) has no body: only the IOC is told.
    """
    report = _report(session, payload)
    stage = payload["stage"]
    message = f"Phản ánh {report.code} quá hạn ở bước «{STAGE_NAMES.get(stage, stage)}»."
    clock = session.get(SlaClock, payload["clock_id"])
    body = clock.organization_id if clock is not None else None
    leaders = _users(session, role=Role.leader, organization_id=body) if body is not None else []
    recipients = leaders + _users(session, role=Role.ioc_operator)
    _notify(session, recipients, kind="sla_breached", report=report, message=message)
    _email(session, settings, recipients, kind="sla_breached", report=report, message=message, key=payload["clock_id"])


def notify_reporter(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Replies to the citizen go out on the channel they used (paht.channels.notify queues them)."""
    channel_notify.notify_reporter(session, payload, settings)


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
    "remind_unacknowledged": remind_unacknowledged,
    "escalate": escalate,
    "sweep": sweep,
    "purge_idempotency": purge_idempotency,
}

# Jobs that talk to providers run outside the worker's transaction and open their own short ones: a
# network call must never hold the database's write lock. "module:function" taking (db, payload, settings).
DIRECT_HANDLERS: dict[str, str] = {
    "process_inbound": "paht.channels.jobs:process_inbound",
    "deliver_outbound": "paht.channels.jobs:deliver_outbound",
    "poll_mailbox": "paht.channels.jobs:poll_mailbox",
    # Dispatch suggestions (issue 6): training reads much and writes little, so it runs outside.
    "routing_retrain": "paht.dispatching.jobs:retrain",
    "routing_schedule": "paht.dispatching.jobs:ensure_scheduled",
    # Upload malware scan (issue 8 item 6): clamscan runs for seconds, so never inside a transaction.
    "scan_attachment": "paht.attachments.scan:scan_job",
}
# Jobs the worker starts by itself every so often: kind → the Settings field with the interval in seconds.
PERIODIC: dict[str, str] = {"poll_mailbox": "imap_poll_seconds", "routing_schedule": "routing_schedule_seconds"}
