"""A bulk rebuild's tally spreads the summed deltas to exactly the rows the hook's `Rows.add` gives."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import delete, select

from paht.config import get_settings
from paht.models import Report, StatsBucket, StatsDaily
from paht.stats.aggregates import Rows
from paht.stats.bulk import Tally, _spread, tally
from paht.stats.definitions import ALL_KEY
from paht.stats.increments import Delta
from tests.stats import scenario
from tests.stats.compare import maintained
from tests.stats.world import World


def test_two_halves_tallied_apart_merged_and_written_equal_the_maintained_tables(db, settings):
    scenario.build(World(db, settings))
    timezone = get_settings().timezone
    with db.read() as session:
        before = maintained(session)
        report_ids = list(session.scalars(select(Report.id)))
    first, second = Tally(), Tally()  # as bench-data's workers do
    with db.write() as session:
        dims = tally(session, report_ids[::2], timezone=timezone, into=first)
        dims |= tally(session, report_ids[1::2], timezone=timezone, into=second)
        first.merge(second)
        session.execute(delete(StatsDaily))
        session.execute(delete(StatsBucket))
        first.write(session)
    with db.read() as session:
        after = maintained(session)
    assert after[:2] == before[:2] and dims == before[2]
    assert before[1], "the scenario has timed steps (histogram rows)"


def test_every_period_and_rollup_of_two_reports_of_one_day_is_the_sum_rows_add_gives():
    day = date(2026, 3, 4)  # a Wednesday: its week starts on Monday the 2nd
    delta = Delta(Counter({"received": 1}), Counter({("channel", "app"): 1}))
    sums, expected = Tally(), Rows()
    for category in (5, 6):  # two categories, one area (9), the IOC's row (0)
        sums.add({(day, 0): delta}, (category, 9))
        expected.add({(day, 0): delta}, (category, 9))
    spread = _spread(sums.counters)
    assert spread == {(*key, name): n for key, names in expected.counters.items() for name, n in names.items()}
    assert spread[("w", date(2026, 3, 2), 9, ALL_KEY, 0, "received")] == 2
    assert spread[("m", date(2026, 3, 1), ALL_KEY, ALL_KEY, 0, "received")] == 2
    assert len(spread) == 3 * (2 + 1 + 2 + 1)  # periods × (own keys, per area, per category, everything)
    buckets = _spread(sums.buckets)
    assert buckets == {(*key, metric, bucket): n for (key, metric, bucket), n in expected.buckets.items()}
