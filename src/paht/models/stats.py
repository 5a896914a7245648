"""Maintained statistics: counters and duration histograms per (grain, period start, body, category, area).

Rows are derived data, updated in the same transaction as each report change (`paht.stats.aggregates`)
and rebuildable from events and assignments (`paht stats rebuild`). Keys use 0 for "none": organization
key 0 is the IOC itself, category key 0 is "no category", area key 0 is "no known area"; -1 is the
rollup over every category (or area), so that reading a body's figures never sums detail rows. No foreign keys:
these rows summarise history and must survive an organisation or category being renamed or retired.
Definitions of every counter: docs/statistics.md.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Uuid
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base
from paht.models.clock import SlaClock


def _counter() -> Mapped[int]:
    return mapped_column(BigInteger, default=0, server_default="0")


class StatsDaily(Base):
    """Counters for one period (grain d = day, w = ISO week from Monday, m = month) and one key."""

    __tablename__ = "stats_daily"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # Key order = index order: a period's days first, then the rollup level (area, category), then the body.
    area_key: Mapped[int] = mapped_column(primary_key=True)
    category_key: Mapped[int] = mapped_column(primary_key=True)
    organization_key: Mapped[int] = mapped_column(primary_key=True)

    # The IOC's rows (organization_key 0).
    received: Mapped[int] = _counter()
    dispatched: Mapped[int] = _counter()
    reopened: Mapped[int] = _counter()
    misrouted: Mapped[int] = _counter()
    rejected: Mapped[int] = _counter()
    duplicates: Mapped[int] = _counter()
    dispatch_timed: Mapped[int] = _counter()
    dispatch_on_time: Mapped[int] = _counter()
    dispatch_seconds: Mapped[int] = _counter()
    published: Mapped[int] = _counter()
    publish_timed: Mapped[int] = _counter()
    publish_on_time: Mapped[int] = _counter()
    publish_seconds: Mapped[int] = _counter()
    editor_send_backs: Mapped[int] = _counter()

    # A handling body's rows.
    assigned: Mapped[int] = _counter()
    acknowledged: Mapped[int] = _counter()
    returned: Mapped[int] = _counter()
    ack_timed: Mapped[int] = _counter()
    ack_on_time: Mapped[int] = _counter()
    ack_seconds: Mapped[int] = _counter()
    resolved: Mapped[int] = _counter()
    resolve_timed: Mapped[int] = _counter()
    resolve_on_time: Mapped[int] = _counter()
    resolve_seconds: Mapped[int] = _counter()
    resubmitted: Mapped[int] = _counter()
    approvals: Mapped[int] = _counter()
    leader_send_backs: Mapped[int] = _counter()
    approve_timed: Mapped[int] = _counter()
    approve_on_time: Mapped[int] = _counter()
    approve_seconds: Mapped[int] = _counter()
    results_published: Mapped[int] = _counter()
    results_sent_back: Mapped[int] = _counter()
    rating_1: Mapped[int] = _counter()
    rating_2: Mapped[int] = _counter()
    rating_3: Mapped[int] = _counter()
    rating_4: Mapped[int] = _counter()
    rating_5: Mapped[int] = _counter()


KEY_COLUMNS = ("grain", "day", "area_key", "category_key", "organization_key")
COUNTERS: tuple[str, ...] = tuple(c.name for c in StatsDaily.__table__.columns if c.name not in KEY_COLUMNS)


class StatsBucket(Base):
    """How many observations fell in one bucket: a duration histogram bucket, a channel or an hour of day."""

    __tablename__ = "stats_buckets"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # Key order = index order: a period's days first, then the rollup level (area, category), then the body.
    area_key: Mapped[int] = mapped_column(primary_key=True)
    category_key: Mapped[int] = mapped_column(primary_key=True)
    organization_key: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = _counter()


class StatsReportDims(Base):
    """The category and area a report's history is currently counted under (moved when they change)."""

    __tablename__ = "stats_report_dims"

    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), primary_key=True)
    category_key: Mapped[int]
    area_key: Mapped[int]


# Overdue-now reads only running clocks: this partial index keeps them cheap however many reports are closed
# (the sweep's own index drops a clock once it is breached, but a breached clock is still overdue).
Index(
    "ix_sla_clocks_running_overdue",
    SlaClock.due_at,
    SlaClock.organization_id,
    SlaClock.stage,
    sqlite_where=sa_text("stopped_at IS NULL"),
    postgresql_where=sa_text("stopped_at IS NULL"),
)
