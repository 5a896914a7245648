"""GET servicerequestupdates (mySociety extension): each status change of a request, from the event log.

Only what the public may know: the new status, the mySociety extended status, when, and for a
publication the IOC's public result, for a rejection its reason. Internal notes (returns, send-backs)
are never shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.channels.open311.mapping import CLOSED, EXTENDED
from paht.channels.open311.queries import WINDOW, window
from paht.config import Settings
from paht.enums import EventKind
from paht.models import Event, Report
from paht.sqltext import w3c
from paht.workflow.states import ReportState, label

LIMIT = 1000


def updates(
    session: Session, *, start: datetime | None, end: datetime | None, now: datetime, settings: Settings
) -> list[dict[str, Any]]:
    since, until = window(start, end, now=now) if (start or end) else (now - WINDOW, now)
    rows = session.execute(
        select(Event, Report)
        .join(Report, Report.id == Event.report_id)
        .where(
            Event.kind == EventKind.transition,
            Event.created_at >= since,
            Event.created_at <= until,
        )
        .order_by(Event.id)
        .limit(LIMIT)
    ).all()
    return [_update(event, report) for event, report in rows]


def _update(event: Event, report: Report) -> dict[str, Any]:
    state = ReportState(event.to_state or report.state)
    return {
        "update_id": str(event.id),
        "service_request_id": report.code,
        "status": "closed" if state in CLOSED else "open",
        "extended_status": EXTENDED.get(state, "open"),
        "updated_datetime": w3c(event.created_at),
        "description": _description(event, report, state),
        "media_url": None,
        "external_status_code": state.value,
    }


def _description(event: Event, report: Report, state: ReportState) -> str:
    payload = event.payload or {}
    if state == ReportState.published and report.state == ReportState.published:
        return report.public_result or label(state, "vi")
    if state == ReportState.rejected:
        return f"Không tiếp nhận: {payload.get('reason') or ''}".strip()
    if state == ReportState.duplicate:
        return f"Trùng với phản ánh {payload.get('duplicate_of_code') or ''}".strip()
    return label(state, "vi")
