"""The shared counter: windows, the N+1th hit, Retry-After seconds, no personal data stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from paht.abuse import limits
from paht.clock import set_now, utc_now
from paht.errors import RateLimited
from paht.models import RateLimit


def test_the_hit_after_the_limit_is_refused_with_the_seconds_left(db):
    start = utc_now()
    for second in range(3):
        with db.write() as session:
            limits.consume(session, "t", "k", limit=3, window_seconds=60, now=start + timedelta(seconds=second))
    with db.write() as session, pytest.raises(RateLimited) as refused:
        limits.consume(session, "t", "k", limit=3, window_seconds=60, now=start + timedelta(seconds=20))
    assert refused.value.retry_after == 40
    assert refused.value.status_code == 429


def test_a_new_window_opens_when_the_old_one_is_over(db):
    start = utc_now()
    for _ in range(2):
        with db.write() as session:
            limits.consume(session, "t", "k", limit=2, window_seconds=60, now=start)
    with db.write() as session:
        counter = limits.consume(session, "t", "k", limit=2, window_seconds=60, now=start + timedelta(seconds=60))
    assert counter.hits == 1


def test_scopes_and_keys_count_apart_and_keys_are_stored_as_digests(db):
    now = utc_now()
    with db.write() as session:
        limits.consume(session, "a", "0905123456", limit=1, window_seconds=60, now=now)
        limits.consume(session, "b", "0905123456", limit=1, window_seconds=60, now=now)
        limits.consume(session, "a", "0905000000", limit=1, window_seconds=60, now=now)
    with db.read() as session:
        keys = session.scalars(select(RateLimit.key)).all()
    assert len(keys) == 3
    assert all(len(key) == 64 and "0905" not in key for key in keys)


def test_a_refused_hit_rolls_back_with_its_transaction(db):
    now = utc_now()
    with db.write() as session:
        limits.consume(session, "t", "k", limit=1, window_seconds=60, now=now)
    with pytest.raises(RateLimited), db.write() as session:
        limits.consume(session, "t", "k", limit=1, window_seconds=60, now=now)
    with db.read() as session:
        assert limits.peek(session, "t", "k", window_seconds=60, now=now).hits == 1


def test_idle_counters_are_purged(db):
    now = utc_now()
    with db.write() as session:
        limits.consume(session, "t", "old", limit=1, window_seconds=60, now=now - timedelta(days=2))
        limits.consume(session, "t", "new", limit=1, window_seconds=60, now=now)
    set_now(now)
    with db.write() as session:
        assert limits.purge_idle(session, older_than_seconds=86400) == 1
