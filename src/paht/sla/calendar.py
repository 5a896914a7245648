"""Working-time arithmetic: office hours on working days, Vietnamese public holidays excluded.

Normal reports' resolve/approve/publish clocks run on this calendar; urgent reports and the
30-minute acknowledgement run on plain 24/7 time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


def _parse_span(span: str) -> tuple[time, time]:
    start, end = (time.fromisoformat(part.strip()) for part in span.split("-"))
    if end <= start:
        raise ValueError(f"office hours {span!r}: the end must come after the start")
    return start, end


@lru_cache(maxsize=64)
def _vietnam_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    timezone: str = "Asia/Ho_Chi_Minh"
    spans: tuple[str, ...] = ("07:30-11:30", "13:30-17:00")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _vietnam_holidays(day.year)

    def minutes_per_day(self) -> int:
        total = 0
        for span in self.spans:
            start, end = _parse_span(span)
            total += (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60
        return total

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, s, tzinfo=self.zone), datetime.combine(day, e, tzinfo=self.zone))
            for s, e in (_parse_span(span) for span in self.spans)
        ]

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant when `minutes` of office time have passed after `start`."""
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        for _ in range(3660):  # ten years of days: a calendar with no working time is a configuration error
            for begin, end in self._intervals(day):
                if cursor >= end:
                    continue
                cursor = max(cursor, begin)
                if cursor + remaining <= end:
                    return (cursor + remaining).astimezone(UTC)
                remaining -= end - cursor
                cursor = end
            day += timedelta(days=1)
        raise ValueError("the working calendar has no working time")

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_minutes(start, days * self.minutes_per_day())

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Office minutes elapsed between two instants (for statistics that count working time)."""
        if end <= start:
            return 0.0
        total, day = 0.0, start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            for begin, finish in self._intervals(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return total
