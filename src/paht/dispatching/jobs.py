"""Nightly retraining of the suggestion models through the job queue, coordinated across workers.

The worker's periodic `routing_schedule` makes sure tomorrow night's `routing_retrain` job exists (one
per night: the date is its dedupe key, so any number of workers book it once). The retrain job runs
outside the worker's transaction (a DIRECT handler): it reads the history and trains without holding
SQLite's write lock, and writes only to store each model. `paht routing train` does the same at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.dispatching.training import KINDS, examples_for, fit, store
from paht.jobs.queue import enqueue

JOB_KIND = "routing_retrain"


def next_run(settings: Settings, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(settings.timezone))
    run = local.replace(hour=settings.routing_retrain_hour, minute=0, second=0, microsecond=0)
    if run <= local:
        run += timedelta(days=1)
    return run.astimezone(now.tzinfo)


def schedule_next(session: Session, settings: Settings) -> int | None:
    """Book the next nightly retraining; its job's id, or None when that night is booked already."""
    run_after = next_run(settings, utc_now())
    return enqueue(session, JOB_KIND, {}, run_after=run_after, dedupe_key=f"{JOB_KIND}:{run_after.date().isoformat()}")


def train_all(db: Database) -> dict[str, tuple[int | None, int]]:
    """Train every kind that has enough history: kind → (stored model id or None, examples)."""
    done: dict[str, tuple[int | None, int]] = {}
    for kind in KINDS:
        with db.read() as session:
            examples = examples_for(session, kind)
        model = fit(kind, examples)
        if model is None:
            done[kind] = (None, len(examples))
            continue
        with db.write() as session:
            done[kind] = (store(session, kind, model, examples).id, len(examples))
    return done


def retrain(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    """DIRECT job handler `routing_retrain`: train, then book the next night's run."""
    train_all(db)
    ensure_scheduled(db, payload, settings)


def ensure_scheduled(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    """Periodic `routing_schedule`: the next retraining is booked (a no-op when it already is)."""
    with db.write() as session:
        schedule_next(session, settings)
