"""The fixed vocabulary of the statistics: keys, period grains, duration buckets and how a percentile is read.

Everything here is pure. docs/statistics.md states the same definitions in words; change both together.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

IOC_KEY = 0  # organization_key of the IOC's own rows
NONE_KEY = 0  # category_key / area_key when a report has none
ALL_KEY = -1  # category_key / area_key of the rollup rows over every category / area

# Period grains kept side by side, so that any period is read as a few months, weeks and days.
DAY, WEEK, MONTH = "d", "w", "m"
GRAINS = (DAY, WEEK, MONTH)

# Timed steps, named after the clock (paht.enums.ClockStage) whose deadline they are measured against.
TIMED_STEPS = ("dispatch", "acknowledge", "resolve", "approve", "publish")
# Distribution metrics kept in stats_buckets besides the timed steps.
CHANNEL, HOUR = "channel", "hour"

MINUTE, HOUR_S, DAY_S = 60, 3600, 86400
# Upper bounds (seconds, exclusive) of the duration buckets; the last bucket is open-ended.
# Roughly 10–15 % wide, so a percentile read from them is within one bucket of the exact value.
BOUNDS: tuple[int, ...] = (
    *(m * MINUTE for m in (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 90, 105, 120)),
    *(h * HOUR_S for h in (2.5, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 30, 36, 42, 48, 60, 72, 96, 120, 144, 168)),
    *(d * DAY_S for d in (8, 9, 10, 12, 14, 17, 21, 25, 30, 40, 50, 60, 75, 90, 120, 180, 365)),
)
BOUNDS = tuple(int(b) for b in BOUNDS)
BUCKET_COUNT = len(BOUNDS) + 1


def bucket_of(seconds: int) -> int:
    """Index of the bucket holding a duration: bucket i holds [BOUNDS[i-1], BOUNDS[i]) (bucket 0 from 0)."""
    return bisect.bisect_right(BOUNDS, max(seconds, 0))


def bucket_label(index: int) -> str:
    return f"{index:02d}"


def bucket_range(index: int) -> tuple[int, int | None]:
    low = BOUNDS[index - 1] if index > 0 else 0
    return low, BOUNDS[index] if index < len(BOUNDS) else None


def quantile(histogram: Mapping[int, int], q: float) -> int | None:
    """The q-quantile of a bucketed distribution, interpolated linearly inside its bucket (whole seconds).

    rank = q × n; the answer lies in the first bucket whose cumulative count reaches the rank, at
    low + (high − low) × (rank − count before the bucket) / count in the bucket. In the open last bucket
    the answer is its lower bound. No observations: None.
    """
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for index in sorted(histogram):
        count = histogram[index]
        if count <= 0:
            continue
        if seen + count >= rank:
            low, high = bucket_range(index)
            if high is None:
                return low
            return math.floor(low + (high - low) * (rank - seen) / count + 0.5)
        seen += count
    low, _ = bucket_range(max(histogram))
    return low


def ratio(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(instant: datetime, timezone: str) -> date:
    """The calendar day (in the city's time zone) an event is counted on."""
    return instant.astimezone(zone(timezone)).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


@lru_cache(maxsize=4096)  # a few years of days; every event of a rebuild asks for one
def period_starts(day: date) -> tuple[tuple[str, date], ...]:
    """The (grain, period start) rows an event on `day` is added to."""
    return ((DAY, day), (WEEK, week_start(day)), (MONTH, month_start(day)))


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def cover(start: date, end: date) -> list[tuple[str, date]]:
    """Split [start, end] (inclusive) into whole months, then whole weeks, then days: the rows to read.

    The pieces are disjoint and cover the period exactly, so a year costs at most about 45 rows per key
    (12 months, and at each end up to 6 days, 4 weeks and 6 days).
    """
    pieces: list[tuple[str, date]] = []
    cursor = start
    while cursor <= end:
        if cursor.day == 1 and month_end(cursor) <= end:
            pieces.append((MONTH, cursor))
            cursor = month_end(cursor) + timedelta(days=1)
        elif cursor.weekday() == 0 and cursor + timedelta(days=6) <= end and not _month_fits_soon(cursor, end):
            pieces.append((WEEK, cursor))
            cursor += timedelta(days=7)
        else:
            pieces.append((DAY, cursor))
            cursor += timedelta(days=1)
    return pieces


def _month_fits_soon(monday: date, end: date) -> bool:
    """True when a whole month starts inside this week and fits in the period: take days up to it instead."""
    for offset in range(1, 7):
        day = monday + timedelta(days=offset)
        if day.day == 1:
            return month_end(day) <= end
    return False
