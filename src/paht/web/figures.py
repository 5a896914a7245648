"""A body's own figures for a period, from its assignments: on time, late and average step times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.models import Assignment


@dataclass
class Step:
    done: int = 0
    on_time: int = 0
    late: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, start: datetime | None, end: datetime | None, on_time: bool | None) -> None:
        if end is None or start is None:
            if on_time is False:  # breached while still pending
                self.late += 1
            return
        self.done += 1
        self.seconds.append((end - start).total_seconds())
        if on_time is True:
            self.on_time += 1
        elif on_time is False:
            self.late += 1

    @property
    def average(self) -> float | None:
        return sum(self.seconds) / len(self.seconds) if self.seconds else None

    @property
    def on_time_rate(self) -> float | None:
        decided = self.on_time + self.late
        return self.on_time / decided if decided else None


@dataclass
class Figures:
    start: datetime
    end: datetime
    dispatched: int = 0
    returned: int = 0
    send_backs: int = 0
    acknowledge: Step = field(default_factory=Step)
    resolve: Step = field(default_factory=Step)
    approve: Step = field(default_factory=Step)


def period_starts(now: datetime, timezone: str) -> dict[str, datetime]:
    """This week (from Monday) and this month, in local time."""
    local = now.astimezone(ZoneInfo(timezone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"week": midnight - timedelta(days=midnight.weekday()), "month": midnight.replace(day=1)}


def body_figures(session: Session, organization_id: int, start: datetime, end: datetime) -> Figures:
    figures = Figures(start, end)
    rows = session.scalars(
        select(Assignment).where(
            Assignment.organization_id == organization_id,
            Assignment.dispatched_at >= start,
            Assignment.dispatched_at < end,
        )
    )
    for a in rows:
        figures.dispatched += 1
        figures.returned += a.returned_at is not None
        figures.send_backs += a.send_backs
        figures.acknowledge.add(a.dispatched_at, a.acknowledged_at, a.ack_on_time)
        figures.resolve.add(a.acknowledged_at, a.result_submitted_at, a.resolve_on_time)
        figures.approve.add(a.result_submitted_at, a.approved_at, a.approve_on_time)
    return figures
