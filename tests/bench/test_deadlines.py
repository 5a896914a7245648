"""The bulk generator's due times are the workflow's own (`paht.sla.deadlines`), only faster."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from paht.benchdata.deadlines import DueTimes, FastCalendar
from paht.config import Settings
from paht.enums import ClockStage
from paht.models import Category
from paht.sla.deadlines import calendar_for, due_at


def test_working_days_match_the_work_calendar_on_random_instants():
    settings = Settings()
    slow, fast = calendar_for(settings), FastCalendar(settings, date(2024, 1, 1))
    rng = random.Random(3)
    for index in range(3000):
        start = datetime(2024, 1, 1) + timedelta(microseconds=rng.randrange(3 * 365 * 86_400 * 10**6))
        if index % 5 == 0:  # on the hour and at office-hour edges, where off-by-one errors live
            start = start.replace(
                hour=rng.choice([0, 0, 4, 6, 10]), minute=rng.choice([0, 30]), second=0, microsecond=0
            )
        days = rng.choice([1, 2, 3, 5, 10, 15])
        expected = slow.add_working_days(start.replace(tzinfo=UTC), days).replace(tzinfo=None)
        assert fast.add_working_days(start, days) == expected, (start, days)


def test_every_stage_matches_due_at_for_urgent_and_normal_reports():
    settings = Settings()
    times = DueTimes(settings, date(2025, 1, 1))
    category = Category(resolve_working_days=3, urgent_resolve_hours=12, dispatch_minutes=45)
    start = datetime(2025, 4, 29, 9, 17, 5, 123456)  # the day before the 30 April holiday
    for stage in ClockStage:
        for urgent in (False, True):
            expected = due_at(
                stage, start=start.replace(tzinfo=UTC), urgent=urgent, category=category, settings=settings
            )
            found = times.due(stage, start, urgent=urgent, dispatch_minutes=45, resolve_days=3, urgent_hours=12)
            assert found == expected.replace(tzinfo=None), (stage, urgent)
