"""The overdue sweep: every breached clock escalates exactly once, however often and however many
workers (threads or processes) run it, and marks the step late for good."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from paht.clock import set_now
from paht.enums import EventKind, JobStatus
from paht.jobs.worker import run_pending, sweep_once
from paht.models import Assignment, Event, Job, Notification, Report, SlaClock, User, UserRole
from paht.workflow import Action
from tests.jobs.processes import run_together
from tests.sla.scenario import Scenario

T = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Huế
LATE = T + timedelta(minutes=31)  # the 30-minute acknowledgement has run out


def breach_events(db, report_id: uuid.UUID | None = None) -> list[Event]:
    with db.read() as session:
        query = select(Event).where(Event.kind == EventKind.sla_breached)
        if report_id is not None:
            query = query.where(Event.report_id == report_id)
        return list(session.scalars(query.order_by(Event.id)))


def escalations(db) -> list[Job]:
    with db.read() as session:
        return list(session.scalars(select(Job).where(Job.kind == "escalate").order_by(Job.id)))


def assignment(db, report_id: uuid.UUID) -> Assignment:
    with db.read() as session:
        report = session.get(Report, report_id)
        assert report is not None
        found = session.get(Assignment, report.current_assignment_id)
        assert found is not None
        return found


def acknowledgement_clock(db, report_id: uuid.UUID) -> SlaClock:
    with db.read() as session:
        clock = session.scalar(select(SlaClock).where(SlaClock.report_id == report_id, SlaClock.stage == "acknowledge"))
        assert clock is not None
        return clock


def assert_each_breached_exactly_once(db, report_ids: list[uuid.UUID]) -> None:
    events = breach_events(db)
    assert sorted(str(e.report_id) for e in events) == sorted(str(r) for r in report_ids)
    clock_ids = [e.payload["clock_id"] for e in events]
    assert len(set(clock_ids)) == len(clock_ids)
    jobs = escalations(db)
    assert sorted(j.payload["clock_id"] for j in jobs) == sorted(clock_ids)
    assert all(assignment(db, r).ack_on_time is False for r in report_ids)


def test_a_breach_escalates_exactly_once_and_the_step_stays_late(db, settings):
    scenario = Scenario(db, settings)
    report_id = scenario.dispatched(T)

    set_now(T + timedelta(minutes=30))  # due, not yet overdue
    assert sweep_once(db) == 0
    assert assignment(db, report_id).ack_on_time is None

    set_now(LATE)
    assert sweep_once(db) == 1
    assert [sweep_once(db) for _ in range(3)] == [0, 0, 0]
    [event] = breach_events(db, report_id)
    clock = acknowledgement_clock(db, report_id)
    assert event.payload["stage"] == "acknowledge"
    assert event.payload["clock_id"] == clock.id
    assert event.organization_id == scenario.orgs["SXD"]
    assert event.assignment_id == assignment(db, report_id).id
    assert clock.breached_at == LATE and clock.stopped_at is None  # still running: the step is not done
    [job] = escalations(db)
    assert job.dedupe_key == f"escalate:{clock.id}"
    assert job.payload == {"clock_id": clock.id, "report_id": str(report_id), "stage": "acknowledge"}
    assert assignment(db, report_id).ack_on_time is False

    acknowledged = LATE + timedelta(minutes=10)
    scenario.act(report_id, "sxd.handler", Action.acknowledge, acknowledged)
    done = assignment(db, report_id)
    assert done.acknowledged_at == acknowledged
    assert done.ack_on_time is False  # completing late never turns a breach back into on time
    assert acknowledgement_clock(db, report_id).stopped_at == acknowledged
    set_now(acknowledged + timedelta(minutes=5))
    assert sweep_once(db) == 0
    assert len(breach_events(db, report_id)) == 1


def test_each_clock_of_a_report_escalates_once(db, settings):
    scenario = Scenario(db, settings)
    report_id = scenario.dispatched(T)
    set_now(LATE)
    assert sweep_once(db) == 1
    scenario.act(report_id, "sxd.handler", Action.acknowledge, LATE)
    resolve_due = assignment(db, report_id).resolve_due_at
    assert resolve_due is not None
    set_now(resolve_due + timedelta(seconds=1))
    assert sweep_once(db) == 1
    assert sweep_once(db) == 0
    assert [e.payload["stage"] for e in breach_events(db, report_id)] == ["acknowledge", "resolve"]
    late = assignment(db, report_id)
    assert (late.ack_on_time, late.resolve_on_time) == (False, False)
    assert len(escalations(db)) == 2


def test_a_step_completed_on_time_is_on_time_and_never_escalates(db, settings):
    scenario = Scenario(db, settings)
    report_id = scenario.dispatched(T)
    scenario.act(report_id, "sxd.handler", Action.acknowledge, T + timedelta(minutes=29))
    set_now(LATE)
    assert sweep_once(db) == 0
    assert assignment(db, report_id).ack_on_time is True
    assert breach_events(db) == []
    assert escalations(db) == []


def test_the_iocs_own_dispatch_clock_escalates_too(db, settings):
    scenario = Scenario(db, settings)
    report_id = scenario.submit(T)  # received: the IOC has 30 minutes to dispatch it
    set_now(LATE)
    assert sweep_once(db) == 1
    [event] = breach_events(db, report_id)
    assert event.payload["stage"] == "dispatch"
    assert event.organization_id is None and event.assignment_id is None


def test_concurrent_sweeps_in_threads_escalate_each_breach_once(db, settings):
    scenario = Scenario(db, settings)
    report_ids = [scenario.dispatched(T) for _ in range(12)]
    set_now(LATE)
    barrier = threading.Barrier(4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sweeper() -> None:
        barrier.wait()
        try:
            counts.extend(sweep_once(db) for _ in range(3))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == len(report_ids)
    assert_each_breached_exactly_once(db, report_ids)


def test_concurrent_sweeps_in_separate_processes_escalate_each_breach_once(db, settings, database_url):
    scenario = Scenario(db, settings)
    report_ids = [scenario.dispatched(T) for _ in range(12)]
    outputs = run_together(
        """
        from paht.jobs.worker import sweep_once
        print(sum(sweep_once(db) for _ in range(3)))
        """,
        count=2,
        database_url=database_url,
        now=LATE,
    )
    assert sum(int(line) for line in outputs) == len(report_ids)
    assert_each_breached_exactly_once(db, report_ids)


def test_a_sweep_racing_actions_on_the_same_reports_neither_fails_nor_doubles(db, settings):
    """A sweep and handlers acknowledging the same breached reports at once: no deadlock, no error,
    each report late exactly once whichever got there first."""
    scenario = Scenario(db, settings)
    report_ids = [scenario.dispatched(T) for _ in range(20)]
    set_now(LATE)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweeper() -> None:
        barrier.wait()
        try:
            for _ in range(3):
                sweep_once(db)
        except BaseException as exc:
            errors.append(exc)

    def handler() -> None:
        barrier.wait()
        try:
            for report_id in report_ids:
                scenario.act(report_id, "sxd.handler", Action.acknowledge, LATE)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sweeper), threading.Thread(target=handler)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sweep_once(db) == 0  # every acknowledgement clock is either breached or stopped
    events = breach_events(db)
    assert len({e.report_id for e in events}) == len(events)
    assert len(escalations(db)) == len(events)
    for report_id in report_ids:
        done = assignment(db, report_id)
        assert done.acknowledged_at == LATE
        assert done.ack_on_time is False


def recipients(db, kind: str = "sla_breached") -> set[str]:
    with db.read() as session:
        rows = session.execute(
            select(User.username).join(Notification, Notification.user_id == User.id).where(Notification.kind == kind)
        )
        return {username for (username,) in rows}


def usernames_with_role(db, role: str) -> set[str]:
    with db.read() as session:
        rows = session.execute(
            select(User.username).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role)
        )
        return {username for (username,) in rows}


def test_the_escalation_tells_the_bodys_leaders_and_the_ioc_operators_once(db, settings):
    scenario = Scenario(db, settings)
    report_id = scenario.dispatched(T)
    set_now(LATE)
    sweep_once(db)
    run_pending(db, settings)
    operators = usernames_with_role(db, "ioc_operator")
    assert operators
    assert recipients(db) == {"sxd.leader"} | operators
    with db.read() as session:
        code = session.scalar(select(Report.code).where(Report.id == report_id))
        notices = session.scalars(select(Notification).where(Notification.kind == "sla_breached")).all()
    assert len(notices) == len(operators) + 1
    assert all(n.report_code == code and code in n.message and "quá hạn" in n.message for n in notices)
    [job] = escalations(db)
    assert job.status == JobStatus.done
    sweep_once(db)
    run_pending(db, settings)
    with db.read() as session:
        assert session.scalar(select(func.count()).where(Notification.kind == "sla_breached")) == len(notices)


def test_the_escalation_goes_to_the_late_body_even_after_the_report_moved_on(db, settings):
    """Breached at SXD, then returned and re-dispatched to PHUHOI before the worker ran: SXD's leader hears."""
    scenario = Scenario(db, settings)
    report_id = scenario.dispatched(T)
    set_now(LATE)
    sweep_once(db)
    scenario.act(
        report_id,
        "sxd.handler",
        Action.return_,
        LATE,
        reason="Không thuộc thẩm quyền",
        suggested_organization_id=scenario.orgs["PHUHOI"],
    )
    scenario.act(report_id, "ioc.operator", Action.dispatch, LATE, organization_id=scenario.orgs["PHUHOI"])
    run_pending(db, settings)
    assert "sxd.leader" in recipients(db)
    assert "phuhoi.leader" not in recipients(db)


def test_an_iocs_dispatch_breach_tells_only_the_ioc(db, settings):
    scenario = Scenario(db, settings)
    scenario.submit(T)
    set_now(LATE)
    sweep_once(db)
    run_pending(db, settings)
    assert recipients(db) == usernames_with_role(db, "ioc_operator")
