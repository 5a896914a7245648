"""The deadline board: every running clock (sla_clocks) across all bodies — at risk, overdue, by body."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from paht.enums import ClockStage
from paht.errors import Invalid
from paht.models import Report, SlaClock

# A clock is "at risk" when it falls due within this margin (short steps get short margins).
AT_RISK = {
    ClockStage.dispatch: timedelta(minutes=10),
    ClockStage.acknowledge: timedelta(minutes=10),
    ClockStage.resolve: timedelta(hours=24),
    ClockStage.approve: timedelta(hours=4),
    ClockStage.publish: timedelta(hours=4),
}
# Steps the IOC itself must take: counted on the IOC's line, whoever the report is assigned to.
IOC_STAGES = (ClockStage.dispatch.value, ClockStage.publish.value)
PAGE_SIZE = 50


def at_risk(now: datetime) -> ColumnElement[bool]:
    return or_(
        *(
            and_(SlaClock.stage == stage.value, SlaClock.due_at >= now, SlaClock.due_at < now + margin)
            for stage, margin in AT_RISK.items()
        )
    )


def running() -> ColumnElement[bool]:
    return SlaClock.stopped_at.is_(None)


@dataclass
class BodyLine:
    organization_id: int | None  # None: the IOC
    running: int = 0
    at_risk: int = 0
    overdue: int = 0
    stages: dict[str, int] = field(default_factory=dict)


def summary(session: Session, now: datetime) -> list[BodyLine]:
    """Counts by responsible body, worst first. One GROUP BY over the partial index of running clocks."""
    rows = session.execute(
        select(
            SlaClock.organization_id,
            SlaClock.stage,
            func.count(),
            func.sum(case((SlaClock.due_at < now, 1), else_=0)),
            func.sum(case((at_risk(now), 1), else_=0)),
        )
        .where(running())
        .group_by(SlaClock.organization_id, SlaClock.stage)
    )
    lines: dict[int | None, BodyLine] = {}
    for org_id, stage, total, overdue, risky in rows:
        key = None if stage in IOC_STAGES else org_id
        line = lines.setdefault(key, BodyLine(key))
        line.running += total
        line.overdue += overdue or 0
        line.at_risk += risky or 0
        line.stages[stage] = line.stages.get(stage, 0) + total
    return sorted(lines.values(), key=lambda line: (-line.overdue, -line.at_risk, -line.running))


@dataclass(frozen=True)
class BoardFilter:
    status: str = "all"  # all | at_risk | overdue
    organization_id: int | None = None
    ioc_only: bool = False
    stage: str | None = None


def _encode(clock: SlaClock) -> str:
    return base64.urlsafe_b64encode(json.dumps([clock.due_at.isoformat(), clock.id]).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        due, clock_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(due), int(clock_id)
    except (ValueError, TypeError) as exc:
        raise Invalid("cursor không hợp lệ (invalid cursor)") from exc


def clocks(
    session: Session, now: datetime, board: BoardFilter, *, cursor: str | None, limit: int = PAGE_SIZE
) -> tuple[list[tuple[SlaClock, Report]], str | None]:
    """Running clocks, soonest due first (overdue ones lead), keyset-paginated on (due_at, id)."""
    query = select(SlaClock, Report).join(Report, Report.id == SlaClock.report_id).where(running())
    if board.status == "overdue":
        query = query.where(SlaClock.due_at < now)
    elif board.status == "at_risk":
        query = query.where(at_risk(now))
    if board.ioc_only:
        query = query.where(SlaClock.stage.in_(IOC_STAGES))
    elif board.organization_id is not None:
        query = query.where(SlaClock.organization_id == board.organization_id, SlaClock.stage.not_in(IOC_STAGES))
    if board.stage:
        query = query.where(SlaClock.stage == board.stage)
    if cursor:
        due, clock_id = _decode(cursor)
        query = query.where(or_(SlaClock.due_at > due, and_(SlaClock.due_at == due, SlaClock.id > clock_id)))
    rows = [(c, r) for c, r in session.execute(query.order_by(SlaClock.due_at, SlaClock.id).limit(limit + 1))]
    page = rows[:limit]
    return page, _encode(page[-1][0]) if len(rows) > limit else None
