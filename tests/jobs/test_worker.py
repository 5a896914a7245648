"""The worker: each outbox job runs once, however many workers share the queue; failures retry with
backoff and stop as `failed`; a job whose worker died is picked up again."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from paht.clock import set_now, utc_now
from paht.enums import JobStatus
from paht.jobs import worker
from paht.jobs.handlers import HANDLERS
from paht.jobs.queue import enqueue
from paht.models import IdempotencyKey, Job, Notification, User
from tests.jobs.processes import run_together
from tests.sla.scenario import Scenario

T = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LOOP_WAIT_SECONDS = 60


def jobs(db, **filters: Any) -> list[Job]:
    with db.read() as session:
        return list(session.scalars(select(Job).filter_by(**filters).order_by(Job.id)))


def notices(db, kind: str) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).where(Notification.kind == kind))


def add_job(db, kind: str, payload: dict | None = None) -> int:
    with db.write() as session:
        job_id = enqueue(session, kind, payload or {})
        assert job_id is not None
        return job_id


def job(db, job_id: int) -> Job:
    with db.read() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def note(session, payload: dict, settings) -> None:
    """A handler whose effect is one notification row for the admin, so runs can be counted."""
    admin = session.scalar(select(User).where(User.username == "admin"))
    session.add(Notification(user_id=admin.id, kind="test", message=payload.get("text", "x"), created_at=utc_now()))


def boom(session, payload: dict, settings) -> None:
    note(session, payload, settings)  # written, then rolled back with the failure
    raise RuntimeError("boom")


@pytest.fixture
def test_handlers(monkeypatch):
    monkeypatch.setitem(HANDLERS, "note", note)
    monkeypatch.setitem(HANDLERS, "boom", boom)


def dispatched_reports(db, settings, count: int) -> None:
    scenario = Scenario(db, settings)
    for _ in range(count):
        scenario.dispatched(T)
    set_now(T)


def assert_every_due_job_ran_once(db) -> None:
    due = [j for j in jobs(db) if j.run_after <= T]
    assert due
    assert all(j.status == JobStatus.done and j.attempts == 1 for j in due), [(j.kind, j.status) for j in due]


def test_jobs_run_once(db, settings):
    dispatched_reports(db, settings, 3)
    due = len([j for j in jobs(db) if j.run_after <= T])
    assert worker.run_pending(db, settings) >= due
    assert worker.run_pending(db, settings) == 0
    assert_every_due_job_ran_once(db)
    assert all(j.claimed_by == worker.WORKER_ID and j.finished_at == T for j in jobs(db, status=JobStatus.done))
    assert notices(db, "dispatched") == 3  # one per dispatch to SXD's one handler


def test_workers_in_threads_run_each_job_once(db, settings):
    dispatched_reports(db, settings, 10)
    barrier = threading.Barrier(4)
    ran: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            ran.append(worker.run_pending(db, settings))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(ran) == len(jobs(db, status=JobStatus.done))
    assert_every_due_job_ran_once(db)
    assert notices(db, "dispatched") == 10


def test_workers_in_separate_processes_run_each_job_once(db, settings, database_url):
    dispatched_reports(db, settings, 10)
    outputs = run_together(
        """
        from paht.config import Settings
        from paht.jobs.worker import run_pending
        print(run_pending(db, Settings(_env_file=None, database_url=sys.argv[1], run_worker_in_process=False)))
        """,
        count=2,
        database_url=database_url,
        now=T,
    )
    assert sum(int(line) for line in outputs) == len(jobs(db, status=JobStatus.done))
    assert_every_due_job_ran_once(db)
    assert notices(db, "dispatched") == 10


def test_a_failing_job_retries_with_backoff_then_stops_as_failed(db, settings, test_handlers):
    settings = settings.model_copy(update={"job_max_attempts": 3})
    set_now(T)
    job_id = add_job(db, "boom")

    assert worker.run_pending(db, settings) == 1
    first = job(db, job_id)
    assert (first.status, first.attempts, first.run_after) == (JobStatus.pending, 1, T + timedelta(seconds=10))
    assert first.last_error == "RuntimeError: boom"
    assert notices(db, "test") == 0  # the failed attempt's effects were rolled back

    set_now(T + timedelta(seconds=9))
    assert worker.run_pending(db, settings) == 0  # not due yet
    set_now(T + timedelta(seconds=10))
    assert worker.run_pending(db, settings) == 1
    second = job(db, job_id)
    assert (second.status, second.attempts) == (JobStatus.pending, 2)
    assert second.run_after == T + timedelta(seconds=10 + 20)  # the wait doubles

    set_now(T + timedelta(seconds=30))
    assert worker.run_pending(db, settings) == 1
    last = job(db, job_id)
    assert (last.status, last.attempts) == (JobStatus.failed, 3)
    set_now(T + timedelta(days=1))
    assert worker.run_pending(db, settings) == 0
    assert job(db, job_id).status == JobStatus.failed
    assert notices(db, "test") == 0


def test_a_job_that_fails_once_then_succeeds_runs_its_effect_once(db, settings, monkeypatch):
    calls: list[int] = []

    def flaky(session, payload, settings_) -> None:
        calls.append(1)
        note(session, payload, settings_)
        if len(calls) == 1:
            raise ConnectionError("the mail server is down")

    monkeypatch.setitem(HANDLERS, "flaky", flaky)
    set_now(T)
    job_id = add_job(db, "flaky")
    worker.run_pending(db, settings)
    set_now(T + timedelta(minutes=1))
    worker.run_pending(db, settings)
    done = job(db, job_id)
    assert (done.status, done.attempts, len(calls)) == (JobStatus.done, 2, 2)
    assert done.last_error == "ConnectionError: the mail server is down"
    assert notices(db, "test") == 1


def test_a_job_of_unknown_kind_fails_without_stopping_the_others(db, settings, test_handlers):
    settings = settings.model_copy(update={"job_max_attempts": 1})
    set_now(T)
    unknown = add_job(db, "no_such_kind")
    known = add_job(db, "note")
    assert worker.run_pending(db, settings) == 2
    assert job(db, unknown).status == JobStatus.failed
    assert "no_such_kind" in (job(db, unknown).last_error or "")
    assert job(db, known).status == JobStatus.done


def crash_while_running(db, job_id: int, claimed_at: datetime, *, attempts: int = 1) -> None:
    """What a worker that died mid-job leaves behind: the claim, and none of the job's effects."""
    with db.write() as session:
        row = session.get(Job, job_id)
        assert row is not None
        row.status, row.claimed_at, row.claimed_by = JobStatus.running, claimed_at, "dead-host:42"
        row.attempts = attempts


def test_a_job_claimed_by_a_dead_worker_is_claimed_again_and_runs_once(db, settings, test_handlers):
    set_now(T)
    job_id = add_job(db, "note")
    crash_while_running(db, job_id, T - worker.STALE_CLAIM - timedelta(seconds=1))
    barrier = threading.Barrier(3)
    ran: list[int] = []

    def work() -> None:
        barrier.wait()
        ran.append(worker.run_pending(db, settings))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(ran) == 1
    done = job(db, job_id)
    assert (done.status, done.attempts, done.claimed_by) == (JobStatus.done, 2, worker.WORKER_ID)
    assert notices(db, "test") == 1


def test_a_job_claimed_recently_is_left_to_its_worker(db, settings, test_handlers):
    set_now(T)
    job_id = add_job(db, "note")
    crash_while_running(db, job_id, T - worker.STALE_CLAIM + timedelta(seconds=1))
    assert worker.run_pending(db, settings) == 0
    assert job(db, job_id).status == JobStatus.running
    assert notices(db, "test") == 0


def test_a_job_whose_workers_keep_dying_is_given_up(db, settings, test_handlers):
    """A job that kills its worker every time is not run forever: after job_max_attempts claims it fails."""
    settings = settings.model_copy(update={"job_max_attempts": 3})
    set_now(T)
    job_id = add_job(db, "note")
    crash_while_running(db, job_id, T - worker.STALE_CLAIM - timedelta(seconds=1), attempts=3)
    assert worker.run_pending(db, settings) == 1
    given_up = job(db, job_id)
    assert (given_up.status, given_up.attempts) == (JobStatus.failed, 4)
    assert "3×" in (given_up.last_error or "")
    assert notices(db, "test") == 0
    set_now(T + timedelta(days=1))
    assert worker.run_pending(db, settings) == 0


def test_housekeeping_forgets_idempotency_keys_past_their_retention(db, settings):
    set_now(T)
    retention = timedelta(hours=settings.idempotency_retention_hours)
    with db.write() as session:
        for key, age in (("old", retention + timedelta(minutes=1)), ("recent", retention - timedelta(minutes=1))):
            session.add(
                IdempotencyKey(scope="anonymous", key=key, request_hash="0" * 64, created_at=T - age, locked_until=None)
            )
    worker.housekeeping(db, settings)
    with db.read() as session:
        assert list(session.scalars(select(IdempotencyKey.key))) == ["recent"]


def test_the_worker_loop_sweeps_and_runs_jobs_until_stopped(db, settings, test_handlers):
    """What `paht serve` runs in-process and `paht worker` runs alone."""
    settings = settings.model_copy(update={"worker_poll_seconds": 0.05})
    scenario = Scenario(db, settings)
    scenario.dispatched(T)
    set_now(T + timedelta(minutes=31))  # the acknowledgement is overdue
    job_id = add_job(db, "note")
    stop = threading.Event()
    thread = threading.Thread(target=worker.loop, args=(db, settings, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + LOOP_WAIT_SECONDS
        while notices(db, "sla_breached") == 0 or job(db, job_id).status != JobStatus.done:
            assert time.monotonic() < deadline, "the worker loop did not escalate and run the job"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=LOOP_WAIT_SECONDS)
    assert not thread.is_alive()
    assert notices(db, "test") == 1
    assert len(jobs(db, kind="escalate")) == 1
