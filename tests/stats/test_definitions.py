"""The pure rules: buckets and percentiles, period covering, periods, the ranking score."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paht.errors import Invalid
from paht.stats.definitions import BOUNDS, DAY, MONTH, WEEK, bucket_of, bucket_range, cover, month_end, quantile
from paht.stats.periods import resolve_period
from paht.stats.ranking import score


def test_buckets_are_half_open_and_ordered():
    assert list(BOUNDS) == sorted(set(BOUNDS))
    assert bucket_of(0) == 0 and bucket_of(59) == 0 and bucket_of(60) == 1
    assert bucket_range(bucket_of(1800)) == (1800, 2100)  # exactly 30 minutes starts a bucket
    assert bucket_range(bucket_of(10**9)) == (BOUNDS[-1], None)
    assert bucket_of(-5) == 0


def test_quantiles_follow_the_documented_interpolation():
    assert quantile({}, 0.5) is None
    # 15, 15, 40, 45, 50 minutes (docs/statistics.md's example): median 2550 s, p90 3300 s.
    hist = {bucket_of(900): 2, bucket_of(2400): 1, bucket_of(2700): 1, bucket_of(3000): 1}
    assert quantile(hist, 0.5) == 2550
    assert quantile(hist, 0.9) == 3300
    assert quantile({bucket_of(10**9): 3}, 0.5) == BOUNDS[-1]  # open last bucket: its lower bound
    assert quantile({bucket_of(30): 1}, 1.0) == 60


@given(st.lists(st.integers(0, 400 * 86400), min_size=1, max_size=200), st.sampled_from([0.5, 0.9]))
def test_a_quantile_lies_in_the_bucket_of_the_exact_one(values, q):
    hist: dict[int, int] = {}
    for value in values:
        hist[bucket_of(value)] = hist.get(bucket_of(value), 0) + 1
    estimate = quantile(hist, q)
    ordered = sorted(values)
    exact = ordered[max(1, math.ceil(q * len(ordered))) - 1]  # the ceil(q·n)-th smallest value
    low, high = bucket_range(bucket_of(exact))
    assert low <= estimate <= (high if high is not None else low)


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(0, 800))
def test_cover_splits_any_period_exactly_and_briefly(start, length):
    end = start + timedelta(days=length)
    days: list[date] = []
    for grain, first in cover(start, end):
        span = {DAY: 1, WEEK: 7}.get(grain)
        last = first + timedelta(days=span - 1) if span else month_end(first)
        if grain == WEEK:
            assert first.weekday() == 0
        if grain == MONTH:
            assert first.day == 1
        days += [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert days == [start + timedelta(days=i) for i in range(length + 1)]
    # Whole months, and at each end at most 6 days, 4 weeks and 6 more days before a month starts.
    assert len(cover(start, end)) <= length // 28 + 2 * (6 + 4 + 6)


def test_periods():
    assert resolve_period(start=date(2026, 5, 1), end=date(2026, 5, 1), preset=None, timezone="UTC").days == 1
    with pytest.raises(Invalid):
        resolve_period(start=date(2026, 5, 2), end=date(2026, 5, 1), preset=None, timezone="UTC")
    with pytest.raises(Invalid):
        resolve_period(start=None, end=None, preset="fortnight", timezone="UTC")


def test_score_uses_only_the_components_a_body_has():
    weights = {"acknowledge": 0.2, "resolve": 0.4, "approve": 0.1, "satisfaction": 0.3}
    full = {"acknowledge": 1.0, "resolve": 0.5, "approve": 1.0, "satisfaction": 0.0}
    assert score(full, weights) == 50.0  # 100 × (0.2 + 0.2 + 0.1 + 0) / 1.0
    unrated = full | {"satisfaction": None}
    assert score(unrated, weights) == round(100 * 0.5 / 0.7, 2)  # 71.43: the satisfaction weight drops out
    assert score(dict.fromkeys(weights), weights) is None
    assert score(full, weights | {"resolve": 0.0}) == round(100 * 0.3 / 0.6, 2)
