"""Dashboard figures: clocks running now, and the IOC's intake by channel and hour of day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from paht.stats import queries
from paht.stats.definitions import CHANNEL, HOUR, IOC_KEY
from paht.stats.queries import Filters, Scope
from paht.stats.schemas import MixOut, RunningOut
from paht.stats.summary import period_out


def live(session: Session, organization_ids: Collection[int] | None, *, now: datetime) -> RunningOut:
    """Running and overdue clocks per responsible party; a body-scoped caller sees its bodies only."""
    running: dict[str, dict[str, int]] = {}
    for (party, stage), count in sorted(queries.running_counts(session, organization_ids).items()):
        running.setdefault(str(party), {})[stage] = count
    filters = Filters(frozenset(organization_ids) if organization_ids is not None else None)
    overdue: dict[str, dict[str, int]] = {}
    for (party, _), stages in sorted(queries.overdue_counts(session, filters, now, None).items()):
        overdue[str(party)] = dict(sorted(stages.items()))
    return RunningOut(generated_at=now, running=running, overdue=overdue)


def intake_mix(session: Session, scope: Scope) -> MixOut:
    """Reports received per channel and per local hour of day (the IOC's rows; category and area filters apply)."""
    ioc_only = Scope(scope.period, None, scope.category_id, scope.area_id)
    found = queries.buckets(session, ioc_only, None).get((IOC_KEY, 0), {})
    channels: Counter[str] = found.get(CHANNEL, Counter())
    hours: Counter[str] = found.get(HOUR, Counter())
    return MixOut(
        period=period_out(scope),
        channels=dict(sorted(channels.items(), key=lambda kv: -kv[1])),
        hours={f"{h:02d}": hours.get(f"{h:02d}", 0) for h in range(24)},
    )
