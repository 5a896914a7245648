"""The worker: claims due jobs from the outbox table and runs them; also runs the periodic sweeps.

Claiming is a compare-and-swap on `status` (and FOR UPDATE SKIP LOCKED on PostgreSQL), so any number
of worker processes share the queue. A job claimed by a worker that died is claimed again once its
claim is older than `STALE_CLAIM`. Failures retry with exponential backoff up to `job_max_attempts`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from importlib import import_module
from typing import Any

from sqlalchemy import or_, select, update

from paht.abuse.limits import purge_idle as purge_idle_limits
from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.enums import JobStatus
from paht.intake.idempotency import purge_expired
from paht.jobs.handlers import DIRECT_HANDLERS, HANDLERS, PERIODIC
from paht.models import Job
from paht.privacy import retention
from paht.sla.sweep import sweep_overdue

log = logging.getLogger("paht.worker")
STALE_CLAIM = timedelta(minutes=10)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
DirectHandler = Callable[[Database, dict[str, Any], Settings], None]


def claim_next(db: Database, *, stale_after: timedelta = STALE_CLAIM) -> int | None:
    now = utc_now()
    # Due and waiting, or claimed by a worker that died. The update repeats the condition, so a job
    # another worker claimed meanwhile (its claim is fresh) is never claimed twice.
    claimable = or_(
        (Job.status == JobStatus.pending) & (Job.run_after <= now),
        (Job.status == JobStatus.running) & (Job.claimed_at < now - stale_after),
    )
    with db.write() as session:
        query = select(Job.id).where(claimable).order_by(Job.run_after).limit(1)
        if not db.sqlite:
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, claimable)
            .values(status=JobStatus.running, claimed_at=now, claimed_by=WORKER_ID, attempts=Job.attempts + 1)
        )
        return job_id if claimed.rowcount == 1 else None


@cache
def _resolve(path: str) -> DirectHandler:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def _run_direct(db: Database, job_id: int, settings: Settings) -> bool:
    """Run a job of DIRECT_HANDLERS outside any transaction, then mark it done; False for other kinds."""
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        kind, payload = job.kind, job.payload
    if kind not in DIRECT_HANDLERS:
        return False
    _resolve(DIRECT_HANDLERS[kind])(db, payload, settings)
    with db.write() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.finished_at = JobStatus.done, utc_now()
    return True


def _abandoned(db: Database, job_id: int, settings: Settings) -> bool:
    """A job claimed again more than `job_max_attempts` times: its workers keep dying on it, so stop trying."""
    with db.read() as session:
        attempts = session.scalar(select(Job.attempts).where(Job.id == job_id))
    if attempts is None or attempts <= settings.job_max_attempts:
        return False
    with db.write() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status = JobStatus.failed
        job.last_error = f"{job.last_error or 'no error recorded'}; the worker stopped while running it {attempts - 1}×"
    log.error("job %s abandoned after %s attempts", job_id, attempts - 1)
    return True


def run_job(db: Database, job_id: int, settings: Settings) -> None:
    """Run one claimed job: its effects and its `done` mark commit together (direct jobs: their own)."""
    if _abandoned(db, job_id, settings):
        return
    try:
        if _run_direct(db, job_id, settings):
            return
        with db.write() as session:
            job = session.get(Job, job_id)
            assert job is not None
            handler = HANDLERS.get(job.kind)
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(session, job.payload, settings)
            job.status, job.finished_at = JobStatus.done, utc_now()
    except Exception as exc:  # a failing job must not stop the worker
        log.warning("job %s failed: %s", job_id, type(exc).__name__)
        with db.write() as session:
            job = session.get(Job, job_id)
            assert job is not None
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if job.attempts >= settings.job_max_attempts:
                job.status = JobStatus.failed
            else:
                job.status = JobStatus.pending
                job.run_after = utc_now() + timedelta(seconds=min(3600, 2**job.attempts * 5))


def run_pending(db: Database, settings: Settings, *, limit: int = 1000) -> int:
    """Run due jobs until none is left (or `limit`); returns how many ran."""
    ran, stale_after = 0, timedelta(seconds=settings.job_stale_claim_seconds)
    while ran < limit and (job_id := claim_next(db, stale_after=stale_after)) is not None:
        run_job(db, job_id, settings)
        ran += 1
    return ran


def sweep_once(db: Database) -> int:
    with db.write() as session:
        return sweep_overdue(session)


def housekeeping(db: Database, settings: Settings) -> None:
    """Every sweep interval: escalate breached deadlines, then forget idempotency keys past their retention."""
    sweep_once(db)
    with db.write() as session:
        purge_expired(session, older_than_hours=settings.idempotency_retention_hours)
        # Issue 8 item 3: rate-limit counters nobody hit for longer than the longest window (known addresses).
        purge_idle_limits(session, older_than_seconds=settings.login_known_days * 86400)
    retention.run_if_due(db, settings, utc_now())  # issue 8 item 8: anonymise old reports' contact details


def run_periodic(db: Database, settings: Settings, due: dict[str, float]) -> None:
    """The PERIODIC jobs whose interval has passed (the mailbox poll), run in place: no queue rows."""
    for kind, interval_field in PERIODIC.items():
        if time.monotonic() < due.get(kind, 0.0):
            continue
        due[kind] = time.monotonic() + float(getattr(settings, interval_field))
        try:
            _resolve(DIRECT_HANDLERS[kind])(db, {}, settings)
        except Exception:  # e.g. the mail server is down: try again at the next interval
            log.exception("periodic job %s failed", kind)


def loop(db: Database, settings: Settings, stop: threading.Event) -> None:
    next_sweep = 0.0
    periodic_due: dict[str, float] = {}
    while not stop.is_set():
        try:
            if time.monotonic() >= next_sweep:
                housekeeping(db, settings)
                next_sweep = time.monotonic() + settings.sweep_interval_seconds
            run_periodic(db, settings, periodic_due)
            if run_pending(db, settings, limit=100) == 0:
                stop.wait(settings.worker_poll_seconds)
        except Exception:
            log.exception("worker loop error; retrying")
            stop.wait(settings.worker_poll_seconds)
