"""Report-change hook: when the IOC marks a duplicate, the second reporter learns the original's code."""

from __future__ import annotations

from sqlalchemy.orm import Session

from paht.jobs.queue import enqueue
from paht.models import Event, Report
from paht.workflow import Action


def tell_duplicate_reporter(session: Session, report: Report, event: Event) -> None:
    if event.action != Action.mark_duplicate.value:
        return
    enqueue(
        session,
        "notify_reporter",
        {
            "report_id": str(report.id),
            "event": "duplicate",
            "duplicate_of_code": event.payload.get("duplicate_of_code"),
            "event_id": event.id,
        },
    )
