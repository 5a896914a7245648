"""Retention: reports closed longer than `retention_contact_days` lose their contact details.

Run by the worker's housekeeping (at most once per `retention_interval_seconds`) and by
`paht privacy retention [--dry-run]`. Each anonymised report gets one `contact_anonymised` event.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from paht.auth.actor import ANONYMOUS
from paht.config import Settings
from paht.db import Database
from paht.models import Report
from paht.privacy.erase import CONTACT_FIELDS, erase_contact
from paht.privacy.requests import audit

log = logging.getLogger("paht.privacy")
BATCH = 200
_next_run = 0.0


def due_reports(session: Session, settings: Settings, now: datetime, *, limit: int | None = None) -> list[Report]:
    cutoff = now - timedelta(days=settings.retention_contact_days)
    query = (
        select(Report)
        .where(Report.closed_at.is_not(None), Report.closed_at < cutoff)
        .where(or_(*(getattr(Report, name).is_not(None) for name in CONTACT_FIELDS)))
        .order_by(Report.closed_at, Report.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


def anonymise_expired(session: Session, settings: Settings, now: datetime, *, limit: int = BATCH) -> int:
    """Anonymise up to `limit` expired reports; returns how many (call again until it returns 0)."""
    reports = due_reports(session, settings, now, limit=limit)
    for report in reports:
        erasure = erase_contact(session, report)
        audit(session, report, "contact_anonymised", ANONYMOUS, erasure.payload() | {"reason": "retention"}, now)
    return len(reports)


def run(db: Database, settings: Settings, now: datetime) -> int:
    """Every expired report, one committed batch at a time."""
    total = 0
    while True:
        with db.write() as session:
            done = anonymise_expired(session, settings, now)
        total += done
        if done < BATCH:
            return total


def run_if_due(db: Database, settings: Settings, now: datetime) -> None:
    """Worker housekeeping: at most once per `retention_interval_seconds` in this process."""
    global _next_run
    if time.monotonic() < _next_run:
        return
    _next_run = time.monotonic() + settings.retention_interval_seconds
    count = run(db, settings, now)
    if count:
        log.info("retention: anonymised the contact details of %d closed report(s)", count)
