"""A bulk rebuild's tally spreads the summed deltas to exactly the rows the hook's `Rows.add` gives."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from paht.config import get_settings
from paht.models import Report
from paht.stats.aggregates import Rows, recompute
from paht.stats.bulk import Tally, tally
from paht.stats.definitions import ALL_KEY
from paht.stats.increments import Delta
from tests.stats import scenario
from tests.stats.world import World


def _nonzero(rows: Rows) -> tuple[dict, dict]:
    counters = {key: {n: v for n, v in values.items() if v} for key, values in rows.counters.items()}
    return {k: v for k, v in counters.items() if v}, {k: v for k, v in Counter(rows.buckets).items() if v}


def test_the_tally_of_a_scenario_equals_the_rows_added_report_by_report(db, settings):
    scenario.build(World(db, settings))
    timezone = get_settings().timezone
    with db.read() as session:
        report_ids = list(session.scalars(select(Report.id)))
        one_by_one, dims = recompute(session, report_ids, timezone=timezone)
        first, second = Tally(), Tally()  # two halves summed apart and merged, as bench-data's workers do
        dims_tallied = tally(session, report_ids[::2], timezone=timezone, into=first)
        dims_tallied |= tally(session, report_ids[1::2], timezone=timezone, into=second)
    first.merge(second)
    assert dims_tallied == dims
    assert _nonzero(first.rows()) == _nonzero(one_by_one)
    assert one_by_one.buckets, "the scenario has timed steps"


def test_two_reports_of_the_same_day_share_their_rows_and_every_rollup_is_summed():
    day = date(2026, 3, 4)  # a Wednesday: its week starts on Monday the 2nd
    delta = Delta(Counter({"received": 1}), Counter({("channel", "app"): 1}))
    sums = Tally()
    sums.add({(day, 0): delta}, (5, 9))  # category 5, area 9, the IOC
    sums.add({(day, 0): delta}, (6, 9))  # another category, the same area
    rows = sums.rows()
    assert rows.counters[("d", day, 9, 5, 0)] == {"received": 1}
    assert rows.counters[("w", date(2026, 3, 2), 9, ALL_KEY, 0)] == {"received": 2}
    assert rows.counters[("m", date(2026, 3, 1), ALL_KEY, ALL_KEY, 0)] == {"received": 2}
    assert rows.buckets[(("d", day, ALL_KEY, 6, 0), "channel", "app")] == 1
    assert len(rows.counters) == 3 * (2 + 1 + 2 + 1)  # periods × (own keys, per area, per category, everything)
