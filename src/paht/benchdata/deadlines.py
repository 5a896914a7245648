"""Due times for a million reports: the same answers as `paht.sla.deadlines.due_at`, found by bisection.

`WorkCalendar.add_working_minutes` walks day by day (~30 µs a call); bulk generation needs millions of
calls, so this indexes the working time of every day once (cumulative microseconds of office time)
and inverts that index. Times here are naive UTC datetimes, as the bulk writer stores them.
A test checks both functions agree on random instants.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta

from paht.config import Settings
from paht.enums import ClockStage
from paht.sla.deadlines import calendar_for

EPOCH = datetime(1970, 1, 1)
MICROS_PER_MINUTE = 60_000_000


def to_micros(value: datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class FastCalendar:
    """Office-time arithmetic over a precomputed range of days (extended on demand)."""

    def __init__(self, settings: Settings, first_day: date) -> None:
        self.calendar = calendar_for(settings)
        self.minutes_per_day = self.calendar.minutes_per_day()
        self.first_day = first_day - timedelta(days=2)
        self.intervals: list[list[tuple[int, int]]] = []
        self.cumulative_before: list[int] = []
        self.cumulative_end: list[int] = []

    def _extend_to(self, index: int) -> None:
        while len(self.intervals) <= index:
            day = self.first_day + timedelta(days=len(self.intervals))
            spans = [
                (to_micros(b.astimezone(UTC).replace(tzinfo=None)), to_micros(e.astimezone(UTC).replace(tzinfo=None)))
                for b, e in self.calendar._intervals(day)
            ]
            before = self.cumulative_end[-1] if self.cumulative_end else 0
            self.intervals.append(spans)
            self.cumulative_before.append(before)
            self.cumulative_end.append(before + sum(e - b for b, e in spans))

    def _day_index(self, micros: int) -> int:
        local = from_micros(micros).replace(tzinfo=UTC).astimezone(self.calendar.zone).date()
        index = (local - self.first_day).days
        if index < 0:
            raise ValueError(f"{local} is before the calendar's first day {self.first_day}")
        self._extend_to(index + 1)
        return index

    def position(self, micros: int) -> int:
        """Office microseconds between the calendar's first day and `micros`."""
        index = self._day_index(micros)
        total = self.cumulative_before[index]
        for begin, end in self.intervals[index]:
            if micros > begin:
                total += min(micros, end) - begin
        return total

    def at_position(self, target: int) -> int:
        """The earliest instant whose office-time position is `target`."""
        while not self.cumulative_end or self.cumulative_end[-1] < target:
            self._extend_to(len(self.intervals) + 31)
        index = bisect_left(self.cumulative_end, target)
        remaining = target - self.cumulative_before[index]
        for begin, end in self.intervals[index]:
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("cumulative index out of step with the day's intervals")

    def add_working_days(self, start: datetime, days: float) -> datetime:
        micros = to_micros(start)
        target = self.position(micros) + round(days * self.minutes_per_day * MICROS_PER_MINUTE)
        return from_micros(self.at_position(target))


class DueTimes:
    """`paht.sla.deadlines.due_at` for naive-UTC instants, with categories given as plain values."""

    def __init__(self, settings: Settings, first_day: date) -> None:
        self.settings = settings
        self.calendar = FastCalendar(settings, first_day)

    def due(
        self,
        stage: ClockStage,
        start: datetime,
        *,
        urgent: bool,
        dispatch_minutes: int | None,
        resolve_days: int,
        urgent_hours: int,
    ) -> datetime:
        settings = self.settings
        if stage is ClockStage.dispatch:
            return start + timedelta(minutes=dispatch_minutes or settings.dispatch_minutes)
        if stage is ClockStage.acknowledge:
            return start + timedelta(minutes=settings.acknowledge_minutes)
        if stage is ClockStage.resolve:
            if urgent:
                return start + timedelta(hours=urgent_hours)
            return self.calendar.add_working_days(start, resolve_days)
        days = settings.approve_working_days if stage is ClockStage.approve else settings.publish_working_days
        if urgent:
            return start + timedelta(days=days)
        return self.calendar.add_working_days(start, days)
