"""When each clock falls due (DESIGN.md §5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from paht.config import Settings
from paht.enums import ClockStage
from paht.sla.calendar import WorkCalendar


class DeadlineTerms(Protocol):
    """A category's deadlines: the `Category` entity, or the row `paht.categories.terms` reads."""

    dispatch_minutes: int | None
    urgent_resolve_hours: int
    resolve_working_days: int


def calendar_for(settings: Settings) -> WorkCalendar:
    return WorkCalendar(settings.timezone, (settings.office_morning, settings.office_afternoon))


def due_at(
    stage: ClockStage,
    *,
    start: datetime,
    urgent: bool,
    category: DeadlineTerms | None,
    settings: Settings,
) -> datetime:
    if stage is ClockStage.dispatch:
        minutes = (category.dispatch_minutes if category and category.dispatch_minutes else None) or (
            settings.dispatch_minutes
        )
        return start + timedelta(minutes=minutes)
    if stage is ClockStage.acknowledge:
        return start + timedelta(minutes=settings.acknowledge_minutes)
    if stage is ClockStage.resolve:
        if urgent:
            return start + timedelta(hours=category.urgent_resolve_hours if category else 24)
        days = category.resolve_working_days if category else 5
        return calendar_for(settings).add_working_days(start, days)
    days = settings.approve_working_days if stage is ClockStage.approve else settings.publish_working_days
    if urgent:
        return start + timedelta(days=days)
    return calendar_for(settings).add_working_days(start, days)
