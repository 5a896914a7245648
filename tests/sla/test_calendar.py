"""Working-time arithmetic: office hours 07:30–11:30 and 13:30–17:00 (Huế time), weekends and
Vietnamese public holidays excluded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from paht.sla.calendar import WorkCalendar

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkCalendar("Asia/Ho_Chi_Minh", ("07:30-11:30", "13:30-17:00"))
DAY = 450  # minutes of office time in a working day


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HUE)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        pytest.param(local(2026, 3, 2, 8), 60, local(2026, 3, 2, 9), id="within-the-morning"),
        pytest.param(local(2026, 3, 2, 11), 30, local(2026, 3, 2, 11, 30), id="ends-exactly-at-lunch"),
        pytest.param(local(2026, 3, 2, 11), 60, local(2026, 3, 2, 14), id="across-the-lunch-break"),
        pytest.param(local(2026, 3, 2, 12), 30, local(2026, 3, 2, 14), id="starts-during-lunch"),
        pytest.param(local(2026, 3, 2, 6), 30, local(2026, 3, 2, 8), id="starts-before-office-hours"),
        pytest.param(local(2026, 3, 2, 7, 30), 0, local(2026, 3, 2, 7, 30), id="nothing-to-add"),
        pytest.param(local(2026, 3, 2, 18), 30, local(2026, 3, 3, 8), id="starts-after-office-hours"),
        pytest.param(local(2026, 3, 2, 16, 30), 60, local(2026, 3, 3, 8), id="runs-into-the-next-morning"),
        pytest.param(local(2026, 3, 6, 16, 30), 60, local(2026, 3, 9, 8), id="friday-evening-to-monday"),
        pytest.param(local(2026, 3, 7, 10), 30, local(2026, 3, 9, 8), id="starts-on-saturday"),
        pytest.param(local(2026, 3, 8, 23, 59), 1, local(2026, 3, 9, 7, 31), id="starts-on-sunday-night"),
    ],
)
def test_adding_office_minutes(start, minutes, due):
    assert CALENDAR.add_working_minutes(start, minutes) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        pytest.param(local(2026, 3, 2, 9), 1, local(2026, 3, 3, 9), id="monday-to-tuesday"),
        pytest.param(local(2026, 3, 6, 9), 1, local(2026, 3, 9, 9), id="friday-to-monday"),
        pytest.param(local(2026, 3, 4, 15), 5, local(2026, 3, 11, 15), id="a-working-week"),
        pytest.param(local(2026, 3, 7, 10), 1, local(2026, 3, 9, 17), id="weekend-start-takes-all-of-monday"),
        pytest.param(local(2026, 3, 2, 17), 1, local(2026, 3, 3, 17), id="start-at-closing-time"),
        pytest.param(local(2026, 3, 2, 8), 0.5, local(2026, 3, 2, 13, 45), id="half-a-day"),
        # Tết 2026 is Monday 16 to Friday 20 February: a Friday-afternoon start resumes on the 23rd.
        pytest.param(local(2026, 2, 13, 16), 1, local(2026, 2, 23, 16), id="across-tet-2026"),
        pytest.param(local(2026, 2, 15, 20), 1, local(2026, 2, 23, 17), id="started-during-tet-weekend"),
        # 30 April and 1 May 2026 are Thursday and Friday.
        pytest.param(local(2026, 4, 29, 9), 1, local(2026, 5, 4, 9), id="across-30-april-1-may"),
        # National Day 2026: 1–2 September (and Monday 31 August, a substituted day off).
        pytest.param(local(2026, 8, 27, 9), 2, local(2026, 9, 3, 9), id="across-national-day"),
        pytest.param(local(2026, 12, 31, 16), 1, local(2027, 1, 4, 16), id="across-new-year"),
    ],
)
def test_adding_working_days(start, days, due):
    assert CALENDAR.add_working_days(start, days) == due


def test_results_are_utc_whatever_the_zone_of_the_start():
    start_utc = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Huế
    due = CALENDAR.add_working_minutes(start_utc, 60)
    assert due == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert due.tzinfo is UTC


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        *[date(2026, 2, d) for d in range(16, 21)],
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 9, 2),
    ],
)
def test_vietnamese_public_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert not CALENDAR.is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 2, 13), date(2026, 2, 23), date(2026, 5, 4), date(2026, 9, 3)])
def test_ordinary_weekdays_around_holidays_are_working_days(day):
    assert CALENDAR.is_working_day(day)


def test_weekends_are_not_working_days():
    assert not CALENDAR.is_working_day(date(2026, 3, 7))
    assert not CALENDAR.is_working_day(date(2026, 3, 8))


def test_a_working_day_has_seven_and_a_half_office_hours():
    assert CALENDAR.minutes_per_day() == DAY
    assert WorkCalendar(spans=("08:00-12:00",)).minutes_per_day() == 240


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        pytest.param(local(2026, 3, 2, 8), local(2026, 3, 2, 9), 60, id="one-hour"),
        pytest.param(local(2026, 3, 2, 11), local(2026, 3, 2, 14), 60, id="lunch-does-not-count"),
        pytest.param(local(2026, 3, 6, 16), local(2026, 3, 9, 8, 30), 120, id="weekend-does-not-count"),
        pytest.param(local(2026, 2, 13, 7, 30), local(2026, 2, 23, 17), 2 * DAY, id="tet-does-not-count"),
        pytest.param(local(2026, 3, 2, 9), local(2026, 3, 2, 8), 0, id="end-before-start"),
    ],
)
def test_working_minutes_between(start, end, minutes):
    assert CALENDAR.working_minutes_between(start, end) == minutes


def test_adding_then_measuring_gives_back_the_minutes():
    start = local(2026, 2, 12, 10, 17)
    for minutes in (1, 59, 450, 451, 2000, 4 * DAY + 7):
        assert CALENDAR.working_minutes_between(start, CALENDAR.add_working_minutes(start, minutes)) == minutes


def test_office_hours_must_end_after_they_start():
    with pytest.raises(ValueError, match="end must come after"):
        WorkCalendar(spans=("17:00-07:30",)).minutes_per_day()


def test_a_calendar_without_working_time_is_an_error():
    with pytest.raises(ValueError, match="no working time"):
        WorkCalendar(spans=()).add_working_minutes(local(2026, 3, 2, 8), 10)
