"""The rows a write leaves behind, so that `bench.checks` can hold the raw app to "the same rows written"
(issue 7): counted before and after each app's write, the two apps' differences must be equal.

Counted: a report's rows in every table keyed by report (and how many of its events carry an audit hash),
the outbox jobs, the submission counters, and the statistics of the periods a write today is added to.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from paht.config import get_settings
from paht.db import Database
from paht.models import Base
from paht.models.stats import COUNTERS
from paht.stats.definitions import period_starts

REPORT_TABLES = ("events", "sla_clocks", "consents", "report_search", "stats_report_dims", "report_places")


def footprint(db: Database, report_id: uuid.UUID | None = None) -> dict[str, int]:
    tables = Base.metadata.tables
    found: dict[str, int] = {}
    with db.read() as session:
        scalar = lambda statement: int(session.scalar(statement) or 0)  # noqa: E731
        if report_id is not None:
            for name in REPORT_TABLES:
                table = tables[name]
                found[name] = scalar(select(func.count()).select_from(table).where(table.c.report_id == report_id))
            events = tables["events"]
            hashed = (events.c.report_id == report_id) & events.c.hash.is_not(None)
            found["events with a hash"] = scalar(select(func.count()).select_from(events).where(hashed))
        found["jobs"] = scalar(select(func.max(tables["jobs"].c.id)))  # the newest id: an index lookup, no count
        limits = tables["rate_limits"]
        found["rate_limits hits"] = scalar(select(func.sum(limits.c.hits)))
        found |= _statistics(session)
    return found


def _statistics(session: Any) -> dict[str, int]:
    """Per counter, and the bucket counts, over the rows of the periods today belongs to (index lookups)."""
    today = datetime.now(ZoneInfo(get_settings().timezone)).date()
    daily, buckets = Base.metadata.tables["stats_daily"], Base.metadata.tables["stats_buckets"]
    found: dict[str, int] = {}
    for grain, start in period_starts(today):
        sums = session.execute(
            select(*(func.sum(daily.c[name]) for name in COUNTERS)).where(daily.c.grain == grain, daily.c.day == start)
        ).one()
        for name, value in zip(COUNTERS, sums, strict=True):
            found[f"stats_daily.{name}"] = found.get(f"stats_daily.{name}", 0) + int(value or 0)
        counted = session.scalar(
            select(func.sum(buckets.c["count"])).where(buckets.c.grain == grain, buckets.c.day == start)
        )
        found["stats_buckets.count"] = found.get("stats_buckets.count", 0) + int(counted or 0)
    return found


def difference(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}


def mismatch(paht: dict[str, int], raw: dict[str, int]) -> str | None:
    """What the raw app wrote differently from PAHT, or None."""
    differ = sorted(name for name in set(paht) | set(raw) if paht.get(name, 0) != raw.get(name, 0))
    if not differ:
        return None
    return "rows differ: " + ", ".join(
        f"{name} PAHT {paht.get(name, 0):+d} raw {raw.get(name, 0):+d}" for name in differ
    )
