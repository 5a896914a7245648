"""Reporting periods: an explicit from/to (local calendar days, both included) or a preset ending today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from paht.clock import utc_now
from paht.errors import Invalid
from paht.stats.definitions import local_day

# Trailing windows ending today (local time), in days.
PRESETS: dict[str, int] = {"week": 7, "month": 30, "quarter": 91, "year": 365}
DEFAULT_PRESET = "month"
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    preset: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def today(timezone: str) -> date:
    return local_day(utc_now(), timezone)


def resolve_period(*, start: date | None, end: date | None, preset: str | None, timezone: str) -> Period:
    """The period asked for; with nothing given, the last 30 days."""
    if preset is not None and (start is not None or end is not None):
        raise Invalid("Chọn hoặc khoảng thời gian (from/to) hoặc period, không cả hai (give from/to or period).")
    current = today(timezone)
    if start is None and end is None:
        name = preset or DEFAULT_PRESET
        if name not in PRESETS:
            raise Invalid(f"period phải là một trong {', '.join(PRESETS)} (unknown period {name!r}).")
        return Period(current - timedelta(days=PRESETS[name] - 1), current, name)
    end = end or current
    start = start or end - timedelta(days=PRESETS[DEFAULT_PRESET] - 1)
    if start > end:
        raise Invalid("from phải trước hoặc bằng to (from must not be after to).")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid("Khoảng thời gian tối đa là 10 năm (the longest period is 10 years).")
    return Period(start, end)
