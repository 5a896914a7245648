"""Workflow actions on reports: the only place a report's state changes.

`perform_action` asks the pure workflow whether the actor may act, applies the action's own changes,
moves the clocks, writes exactly one event and enqueues the side effects — all in the caller's
transaction. The version column makes a concurrent second action fail instead of applying twice.

Lock order: an action locks its report's row before it touches the report's assignment or clocks, and
the overdue sweep does the same, so on PostgreSQL the two never wait for each other in opposite orders
(a deadlock). SQLite serialises writers with BEGIN IMMEDIATE and ignores row locks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from paht import workflow
from paht.auth.actor import Actor
from paht.config import Settings
from paht.enums import EventKind, OrgKind
from paht.errors import Invalid, StaleVersion
from paht.jobs.queue import enqueue
from paht.models import Assignment, Event, Organization, Report
from paht.reports import queries
from paht.reports.hooks import after_change
from paht.sla.service import start_clock_for_state, stop_clocks
from paht.workflow import Action, ReportFacts, ReportState

# Side effects of each action, as job kinds written to the outbox with the change.
EFFECTS: dict[Action, tuple[str, ...]] = {
    Action.dispatch: ("notify_body_dispatch", "notify_reporter"),
    Action.return_: ("notify_ioc_return",),
    Action.submit_result: ("notify_leaders",),
    Action.approve: ("notify_ioc_editors",),
    Action.send_back: ("notify_handlers",),
    Action.publish: ("notify_reporter",),
    Action.reject: ("notify_reporter",),
    Action.mark_duplicate: ("notify_reporter",),
    Action.reopen: ("notify_body_dispatch",),
}


@dataclass
class Step:
    """What one action did, for the event row."""

    session: Session
    report: Report
    actor: Actor
    payload: dict
    now: datetime
    assignment: Assignment | None
    event_payload: dict = field(default_factory=dict)


def facts(report: Report, assignment: Assignment | None) -> ReportFacts:
    return ReportFacts(
        state=ReportState(report.state),
        organization_id=report.current_organization_id,
        result_submitted_by_id=assignment.result_submitted_by_id if assignment else None,
    )


def actions_for(session: Session, report: Report, actor: Actor, settings: Settings) -> list[Action]:
    assignment = queries.current_assignment(session, report)
    return workflow.available_actions(
        facts(report, assignment), actor, allow_self_approval=settings.allow_self_approval
    )


def perform_action(
    session: Session,
    report_id: uuid.UUID,
    action: Action,
    *,
    actor: Actor,
    payload: dict,
    settings: Settings,
    now: datetime,
    expected_version: int | None = None,
) -> Step:
    """Take `action` on the report; the step done (the report, its current assignment) for the answer."""
    report = queries.get_visible(session, report_id, actor, lock=True)
    if expected_version is not None and expected_version != report.version:
        raise StaleVersion(
            f"Phản ánh đã thay đổi (phiên bản {report.version}, bạn gửi {expected_version}); hãy tải lại."
        )
    assignment = queries.current_assignment(session, report)
    try:
        row = workflow.check(
            facts(report, assignment),
            action,
            actor,
            payload=payload,
            allow_self_approval=settings.allow_self_approval,
        )
    except workflow.MissingFields as exc:
        raise Invalid(str(exc), details={"missing": exc.fields}) from exc
    source = report.state
    step = Step(session, report, actor, payload, now, assignment)
    HANDLERS[action](step)
    report.state = row.target
    report.updated_at = now
    stop_clocks(session, report, now=now)
    start_clock_for_state(session, report, assignment=step.assignment, now=now, settings=settings)
    event = Event(
        report_id=report.id,
        kind=EventKind.transition,
        action=action.value,
        from_state=source,
        to_state=row.target.value,
        actor_id=actor.user_id,
        actor_role=sorted(r.value for r in row.roles & actor.roles)[0],
        organization_id=actor.organization_id,
        assignment_id=step.assignment.id if step.assignment else None,
        payload=step.event_payload,
        created_at=now,
    )
    session.add(event)
    session.flush()
    after_change(session, report, event)
    for kind in EFFECTS.get(action, ()):
        enqueue(session, kind, {"report_id": str(report.id), "action": action.value, "event_id": event.id})
    return step


def _body(session: Session, organization_id: object, *, field_name: str) -> Organization:
    org = session.get(Organization, organization_id) if isinstance(organization_id, int) else None
    if org is None or not org.active:
        raise Invalid(f"{field_name}: không có đơn vị {organization_id} (unknown organisation).")
    if org.kind == OrgKind.ioc:
        raise Invalid(f"{field_name}: không thể giao phản ánh cho IOC (the IOC is not a handling body).")
    return org


def _new_assignment(step: Step, org: Organization, note: str | None) -> None:
    if step.assignment is not None and step.assignment.ended_at is None:
        step.assignment.ended_at = step.now
    assignment = Assignment(
        report_id=step.report.id,
        organization_id=org.id,
        dispatched_by_id=step.actor.user_id,
        note=note,
        dispatched_at=step.now,
        ack_due_at=step.now,  # replaced by the acknowledgement clock
    )
    step.session.add(assignment)
    step.session.flush()
    step.assignment = assignment
    step.report.current_assignment_id = assignment.id
    step.report.current_organization_id = org.id
    step.report.dispatched_at = step.report.dispatched_at or step.now


def _dispatch(step: Step) -> None:
    org = _body(step.session, step.payload.get("organization_id"), field_name="organization_id")
    previous = step.report.current_organization_id
    _new_assignment(step, org, step.payload.get("note"))
    step.event_payload = {
        "organization_id": org.id,
        "note": step.payload.get("note"),
        "previous_organization_id": previous,
    }


def _acknowledge(step: Step) -> None:
    assert step.assignment is not None
    step.assignment.acknowledged_at = step.now
    step.assignment.acknowledged_by_id = step.actor.user_id


def _return(step: Step) -> None:
    assert step.assignment is not None
    suggested = _body(
        step.session, step.payload.get("suggested_organization_id"), field_name="suggested_organization_id"
    )
    if suggested.id == step.assignment.organization_id:
        raise Invalid("suggested_organization_id: hãy chỉ ra một đơn vị khác đơn vị mình.")
    step.assignment.returned_at = step.now
    step.assignment.return_reason = step.payload["reason"]
    step.assignment.suggested_organization_id = suggested.id
    step.assignment.ended_at = step.now
    step.report.current_organization_id = None
    step.event_payload = {"reason": step.payload["reason"], "suggested_organization_id": suggested.id}


def _submit_result(step: Step) -> None:
    assert step.assignment is not None
    step.event_payload = {"result": {"before": step.report.result, "after": step.payload["result"]}}
    step.report.result = step.payload["result"]
    step.report.approved_result = None
    step.assignment.result_submitted_at = step.now
    step.assignment.result_submitted_by_id = step.actor.user_id


def _approve(step: Step) -> None:
    assert step.assignment is not None
    edited = step.payload.get("result")
    step.report.approved_result = edited or step.report.result
    step.assignment.approved_at = step.now
    step.assignment.approved_by_id = step.actor.user_id
    if edited and edited != step.report.result:
        step.event_payload = {"result": {"before": step.report.result, "after": edited}}


def _send_back(step: Step) -> None:
    assert step.assignment is not None
    step.assignment.send_backs += 1
    step.report.approved_result = None
    step.event_payload = {"reason": step.payload["reason"]}


def _publish(step: Step) -> None:
    report, edits = step.report, {}
    description = step.payload.get("description") or report.description
    public = {
        # Never fall back to the original description when the IOC edited it: that may hold personal data.
        "title": step.payload.get("title") or report.title or description[:120],
        "description": description,
        "result": step.payload.get("result") or report.approved_result or report.result,
    }
    for name, value in public.items():
        original = {
            "title": report.title,
            "description": report.description,
            "result": report.approved_result or report.result,
        }[name]
        if value != original:
            edits[name] = {"before": original, "after": value}
        setattr(report, f"public_{name}", value)
    report.published_at = step.now
    report.closed_at = step.now
    if step.assignment is not None:
        step.assignment.published_at = step.now
    step.event_payload = {"edits": edits}


def _close(step: Step) -> None:
    step.report.close_reason = step.payload["reason"]
    step.report.closed_at = step.now
    step.event_payload = {"reason": step.payload["reason"]}


def _mark_duplicate(step: Step) -> None:
    try:
        original_id = uuid.UUID(str(step.payload["duplicate_of_id"]))
    except ValueError as exc:
        raise Invalid("duplicate_of_id: không phải mã phản ánh hợp lệ.") from exc
    original = queries.get_visible(step.session, original_id, step.actor)
    if original.id == step.report.id:
        raise Invalid("duplicate_of_id: một phản ánh không thể trùng với chính nó.")
    if original.duplicate_of_id is not None:  # point at the root, never at another duplicate
        original = queries.get_visible(step.session, original.duplicate_of_id, step.actor)
    step.report.duplicate_of_id = original.id
    step.report.closed_at = step.now
    step.event_payload = {"duplicate_of_id": str(original.id), "duplicate_of_code": original.code}


def _release(step: Step) -> None:
    """A held report (its reporter is on the abuse list) joins the normal queue; the dispatch clock starts now."""
    note = step.payload.get("note")
    step.event_payload = {"note": note} if note else {}


def _reopen(step: Step) -> None:
    assert step.assignment is not None
    org = step.session.get(Organization, step.assignment.organization_id)
    assert org is not None
    step.assignment.ended_at = step.assignment.ended_at or step.now
    _new_assignment(step, org, step.payload["reason"])
    step.report.closed_at = None
    step.event_payload = {"reason": step.payload["reason"], "organization_id": org.id}


HANDLERS: dict[Action, Callable[[Step], None]] = {
    Action.dispatch: _dispatch,
    Action.acknowledge: _acknowledge,
    Action.return_: _return,
    Action.submit_result: _submit_result,
    Action.approve: _approve,
    Action.send_back: _send_back,
    Action.publish: _publish,
    Action.reject: _close,
    Action.mark_duplicate: _mark_duplicate,
    Action.reopen: _reopen,
    Action.release: _release,
}
