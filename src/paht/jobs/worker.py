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
from datetime import timedelta

from sqlalchemy import or_, select, update

from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.enums import JobStatus
from paht.jobs.handlers import HANDLERS
from paht.models import Job
from paht.sla.sweep import sweep_overdue

log = logging.getLogger("paht.worker")
STALE_CLAIM = timedelta(minutes=10)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def claim_next(db: Database) -> int | None:
    now = utc_now()
    with db.write() as session:
        query = (
            select(Job.id)
            .where(
                or_(
                    (Job.status == JobStatus.pending) & (Job.run_after <= now),
                    (Job.status == JobStatus.running) & (Job.claimed_at < now - STALE_CLAIM),
                )
            )
            .order_by(Job.run_after)
            .limit(1)
        )
        if not db.sqlite:
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_([JobStatus.pending, JobStatus.running]))
            .values(status=JobStatus.running, claimed_at=now, claimed_by=WORKER_ID, attempts=Job.attempts + 1)
        )
        return job_id if claimed.rowcount == 1 else None


def run_job(db: Database, job_id: int, settings: Settings) -> None:
    """Run one claimed job: its effects and its `done` mark commit together."""
    try:
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
    ran = 0
    while ran < limit and (job_id := claim_next(db)) is not None:
        run_job(db, job_id, settings)
        ran += 1
    return ran


def sweep_once(db: Database) -> int:
    with db.write() as session:
        return sweep_overdue(session)


def loop(db: Database, settings: Settings, stop: threading.Event) -> None:
    next_sweep = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_sweep:
                sweep_once(db)
                next_sweep = time.monotonic() + settings.sweep_interval_seconds
            if run_pending(db, settings, limit=100) == 0:
                stop.wait(settings.worker_poll_seconds)
        except Exception:
            log.exception("worker loop error; retrying")
            stop.wait(settings.worker_poll_seconds)
