"""Report → API shape. Reporter contact appears only for IOC staff, and the caller audits that read."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.models import Assignment, Organization, Report, SlaClock
from paht.prepared import Prepared
from paht.reports import queries
from paht.reports.schemas import AssignmentOut, ClockOut, LocationOut, ReporterOut, ReportOut
from paht.workflow.states import as_reporter_sees, label

# The body's name on every report answered in full: one column, so not the ORM entity (~0.2 ms per workflow
# step's answer, issue 7 W7).
_ORGANIZATION_NAME = Prepared(select(Organization.name).where(Organization.id == bindparam("organization_id")))


def assignment_out(session: Session, assignment: Assignment) -> AssignmentOut:
    found = _ORGANIZATION_NAME.rows(session, organization_id=assignment.organization_id)
    return AssignmentOut(
        **{name: getattr(assignment, name) for name in AssignmentOut.model_fields if hasattr(assignment, name)},
        organization_name=found[0].name if found else None,
    )


def clock_out(clock: SlaClock | None) -> ClockOut | None:
    if clock is None:
        return None
    return ClockOut(
        stage=clock.stage, started_at=clock.started_at, due_at=clock.due_at, overdue=clock.due_at < utc_now()
    )


def report_out(
    session: Session,
    report: Report,
    *,
    with_contact: bool,
    detail: bool = True,
    lang: str = "vi",
    assignment: Assignment | None = None,
) -> ReportOut:
    """The report as the API answers it. A write that has its current `assignment` in hand passes it: the
    session holds loaded rows only weakly, so once the step has finished with it, it would be read again."""
    location = (
        LocationOut(lat=report.lat, lon=report.lon, address=report.address)
        if report.lat is not None or report.address
        else None
    )
    out = ReportOut(
        id=report.id,
        code=report.code,
        # Reporters and bodies see a held report as received (paht.abuse); the IOC sees it held.
        state=report.state if with_contact else as_reporter_sees(report.state),
        state_label=label(report.state if with_contact else as_reporter_sees(report.state), lang),
        version=report.version,
        channel=report.channel,
        urgent=report.urgent,
        title=report.title,
        description=report.description,
        category_id=report.category_id,
        location=location,
        organization_id=report.current_organization_id,
        duplicate_of_id=report.duplicate_of_id,
        close_reason=report.close_reason,
        result=report.result,
        approved_result=report.approved_result,
        public_title=report.public_title,
        public_description=report.public_description,
        public_result=report.public_result,
        rating=report.rating,
        created_at=report.created_at,
        updated_at=report.updated_at,
        dispatched_at=report.dispatched_at,
        published_at=report.published_at,
        closed_at=report.closed_at,
    )
    if detail:
        if assignment is None or assignment.id != report.current_assignment_id:
            assignment = queries.current_assignment(session, report)
        out.assignment = assignment_out(session, assignment) if assignment else None
        out.clock = clock_out(queries.running_clock(session, report.id))
    if with_contact:
        out.reporter = ReporterOut(
            name=report.reporter_name,
            phone=report.reporter_phone,
            email=report.reporter_email,
            anonymous=report.anonymous,
            consent=report.consent,
            consent_notice_version=report.consent_notice_version,
        )
    return out
