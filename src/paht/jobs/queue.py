"""Enqueue side effects as rows in the same transaction as the change that causes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.enums import JobStatus
from paht.models import Job


def enqueue(
    session: Session,
    kind: str,
    payload: dict,
    *,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
) -> Job | None:
    """Add a job; with a `dedupe_key`, a second job with the same key is not added (returns None)."""
    if dedupe_key is not None and session.scalar(select(Job.id).where(Job.dedupe_key == dedupe_key)) is not None:
        return None
    now = utc_now()
    job = Job(
        kind=kind,
        payload=payload,
        status=JobStatus.pending,
        dedupe_key=dedupe_key,
        run_after=run_after or now,
        created_at=now,
    )
    session.add(job)
    return job
