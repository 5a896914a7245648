"""The overdue sweep: each breached clock escalates exactly once, however many workers run it.

A clock is claimed with a compare-and-swap (`UPDATE … WHERE breached_at IS NULL`); only the
transaction whose update touched the row writes the `sla_breached` event and the escalation job.
Before that, the sweep locks the clock's report with SKIP LOCKED — the same row an action locks first
(`paht.reports.service.lock`) — so on PostgreSQL a sweep and an action never deadlock, a report being
acted on is left to the next sweep, and several workers spread the reports between them.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.enums import EventKind
from paht.jobs.queue import enqueue
from paht.models import Assignment, Event, Report, SlaClock
from paht.sla.service import ASSIGNMENT_FIELDS

BATCH = 200


def sweep_overdue(session: Session, *, limit: int = BATCH) -> int:
    now = utc_now()
    query = (
        select(SlaClock)
        .where(SlaClock.stopped_at.is_(None), SlaClock.breached_at.is_(None), SlaClock.due_at < now)
        .order_by(SlaClock.due_at)
        .limit(limit)
    )
    breached = 0
    for clock in session.scalars(query).all():
        if not _lock_report(session, clock):
            continue
        claimed = session.execute(
            update(SlaClock)
            .where(SlaClock.id == clock.id, SlaClock.breached_at.is_(None), SlaClock.stopped_at.is_(None))
            .values(breached_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        breached += 1
        _mark_late(session, clock)
        session.add(
            Event(
                report_id=clock.report_id,
                kind=EventKind.sla_breached,
                organization_id=clock.organization_id,
                assignment_id=clock.assignment_id,
                payload={"stage": clock.stage, "due_at": clock.due_at.isoformat(), "clock_id": clock.id},
                created_at=now,
            )
        )
        enqueue(
            session,
            "escalate",
            {"clock_id": clock.id, "report_id": str(clock.report_id), "stage": clock.stage},
            dedupe_key=f"escalate:{clock.id}",
        )
    return breached


def _lock_report(session: Session, clock: SlaClock) -> bool:
    """False when another transaction holds the report: it is acting on it (and may stop this clock)."""
    locked = session.scalar(
        select(Report.id).where(Report.id == clock.report_id).with_for_update(skip_locked=True, key_share=True)
    )
    return locked is not None


def _mark_late(session: Session, clock: SlaClock) -> None:
    if clock.assignment_id is None or clock.stage not in ASSIGNMENT_FIELDS:
        return
    _, on_time_field = ASSIGNMENT_FIELDS[clock.stage]  # type: ignore[index]
    session.execute(update(Assignment).where(Assignment.id == clock.assignment_id).values({on_time_field: False}))
