"""Start and stop the clocks of a report as it moves through the workflow."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from paht.categories.terms import category_terms
from paht.config import Settings
from paht.enums import ClockStage
from paht.models import Assignment, Report, SlaClock
from paht.prepared import Write
from paht.sla.deadlines import due_at
from paht.workflow.states import ReportState

# The clock that runs while a report is in each state (closed states run none).
STAGE_FOR_STATE: dict[str, ClockStage] = {
    ReportState.received: ClockStage.dispatch,
    ReportState.returned: ClockStage.dispatch,
    ReportState.dispatched: ClockStage.acknowledge,
    ReportState.processing: ClockStage.resolve,
    ReportState.awaiting_approval: ClockStage.approve,
    ReportState.approved: ClockStage.publish,
}

# Where each stage's due time and on-time flag live on the assignment.
ASSIGNMENT_FIELDS: dict[ClockStage, tuple[str, str]] = {
    ClockStage.acknowledge: ("ack_due_at", "ack_on_time"),
    ClockStage.resolve: ("resolve_due_at", "resolve_on_time"),
    ClockStage.approve: ("approve_due_at", "approve_on_time"),
    ClockStage.publish: ("publish_due_at", "publish_on_time"),
}


# A report's running clocks (parameter `report_id`), built once: every workflow step stops them, and every
# report answered in full shows the one running (paht.reports.queries.running_clock).
RUNNING_CLOCKS = select(SlaClock).where(SlaClock.report_id == bindparam("report_id"), SlaClock.stopped_at.is_(None))
_INSERT_CLOCK = Write(insert(SlaClock.__table__))

# session.info key: {report id: the clock started for it in the transaction under way}. The INSERT is a plain
# one (no object in the session), and the route that answers a submission or a step shows that very clock:
# `started_clock` gives it without reading it back (a query per write, ~4 % of a submission's CPU).
_STARTED = "paht.started_clocks"


def started_clock(session: Session, report_id: uuid.UUID) -> SlaClock | None:
    """The clock started for this report in the current transaction and still running, if any (transient)."""
    return session.info.get(_STARTED, {}).get(report_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_started(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction's end (commit or rollback) makes the record stale, and so may a savepoint's
    # rollback; a flush's own subtransaction does not. The next read then asks the database.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_STARTED, None)


def stop_clocks(session: Session, report: Report, *, now: datetime) -> None:
    """Stop the running clock; the step it timed is on time if it stopped before its due time."""
    session.info.get(_STARTED, {}).pop(report.id, None)
    running = session.scalars(RUNNING_CLOCKS, {"report_id": report.id}).all()
    for clock in running:
        clock.stopped_at = now
        if clock.assignment_id is None or clock.stage not in ASSIGNMENT_FIELDS:
            continue
        assignment = session.get(Assignment, clock.assignment_id)
        _, on_time_field = ASSIGNMENT_FIELDS[ClockStage(clock.stage)]
        # A breach already marked the step late; stopping never turns late back into on time.
        if assignment is not None and getattr(assignment, on_time_field) is not False:
            setattr(assignment, on_time_field, clock.breached_at is None and now <= clock.due_at)


def start_clock_for_state(
    session: Session,
    report: Report,
    *,
    assignment: Assignment | None,
    now: datetime,
    settings: Settings,
) -> None:
    """Start the clock of the report's new state. A plain INSERT on the table: the unit of work cost ~80 µs
    more per row, and every submission and workflow step starts one; readers find it by query."""
    stage = STAGE_FOR_STATE.get(report.state)
    if stage is None:
        return
    category = category_terms(session, report.category_id) if report.category_id else None
    due = due_at(stage, start=now, urgent=report.urgent, category=category, settings=settings)
    uses_assignment = stage in ASSIGNMENT_FIELDS and assignment is not None
    if uses_assignment and assignment.id is None:  # type: ignore[union-attr]
        session.flush()  # a new assignment gets its id (read below, before the INSERT's own autoflush)
    values = {"report_id": report.id, "stage": stage, "started_at": now, "due_at": due}
    if uses_assignment:
        values |= {"assignment_id": assignment.id, "organization_id": assignment.organization_id}  # type: ignore[union-attr]
        due_field, _ = ASSIGNMENT_FIELDS[stage]
        setattr(assignment, due_field, due)
    _INSERT_CLOCK.run(session, values)
    session.info.setdefault(_STARTED, {})[report.id] = SlaClock(**values)
