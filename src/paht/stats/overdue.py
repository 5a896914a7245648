"""Live overdue lists for staff: running clocks past their due time, scoped to what the caller may see.

The IOC sees every overdue clock. Leaders and viewers see the clocks their bodies (and, for a parent
body, its children) answer for, on reports they may read (`paht.reports.queries.visible`).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.errors import Invalid
from paht.models import Organization, Report, SlaClock
from paht.reports.queries import visible
from paht.stats.definitions import IOC_KEY
from paht.stats.queries import IOC_STAGES
from paht.stats.schemas import OverdueItem, OverdueOut

STAGES = ("dispatch", "acknowledge", "resolve", "approve", "publish")


def _scope(actor: Actor, organization_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [visible(actor)]
    if not actor.is_ioc:
        conditions.append(SlaClock.organization_id.in_(sorted(actor.readable_org_ids)))
        conditions.append(SlaClock.stage.not_in(sorted(IOC_STAGES)))
    if organization_id is not None:
        conditions.append(SlaClock.organization_id == organization_id)
        conditions.append(SlaClock.stage.not_in(sorted(IOC_STAGES)))
    return conditions


def _cursor(clock: SlaClock) -> str:
    raw = json.dumps([clock.due_at.isoformat(), clock.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> ColumnElement[bool]:
    try:
        due, clock_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        due_at = datetime.fromisoformat(due)
        clock_id = int(clock_id)
    except (ValueError, TypeError) as exc:
        raise Invalid("cursor không hợp lệ (invalid cursor)") from exc
    return or_(SlaClock.due_at > due_at, and_(SlaClock.due_at == due_at, SlaClock.id > clock_id))


def overdue_list(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    organization_id: int | None = None,
    stage: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> OverdueOut:
    """Most overdue first, keyset-paginated on (due time, clock id)."""
    if stage is not None and stage not in STAGES:
        raise Invalid(f"stage phải là một trong {', '.join(STAGES)} (unknown stage).")
    base = [SlaClock.stopped_at.is_(None), SlaClock.due_at < now, *_scope(actor, organization_id)]
    if stage is not None:
        base.append(SlaClock.stage == stage)
    joined = select(SlaClock, Report).join(Report, Report.id == SlaClock.report_id).where(*base)
    if cursor:
        joined = joined.where(_after(cursor))
    rows = session.execute(joined.order_by(SlaClock.due_at, SlaClock.id).limit(limit + 1)).all()
    counts = select(SlaClock.stage, func.count()).join(Report, Report.id == SlaClock.report_id).where(*base)
    by_stage = Counter({s: int(n) for s, n in session.execute(counts.group_by(SlaClock.stage))})
    names = {o.id: o.name for o in session.scalars(select(Organization))}
    items = [
        OverdueItem(
            report_id=str(report.id),
            code=report.code,
            title=report.public_title or report.title,
            state=report.state,
            stage=clock.stage,
            organization_id=None if clock.stage in IOC_STAGES else clock.organization_id,
            organization_name=None if clock.stage in IOC_STAGES else names.get(clock.organization_id or IOC_KEY),
            category_id=report.category_id,
            started_at=clock.started_at,
            due_at=clock.due_at,
            overdue_seconds=int((now - clock.due_at).total_seconds()),
        )
        for clock, report in rows[:limit]
    ]
    return OverdueOut(
        generated_at=now,
        total=sum(by_stage.values()),
        by_stage=dict(by_stage),
        items=items,
        next_cursor=_cursor(rows[limit - 1][0]) if len(rows) > limit else None,
    )
