"""Wrong-password limits: the pair lock, the account's capped delay, and no way to lock out the owner.

The measured figure: an attacker with a fresh address for every attempt, trying the moment each attempt
is allowed, gets at most `MAX_PER_HOUR` failed sign-ins on one account in any hour (ASVS 4.0.3 2.2.1: ≤ 100).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from paht.abuse import logins
from paht.clock import utc_now
from paht.errors import RateLimited
from tests.abuse.conftest import from_ip
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token"
USER = "citizen.demo"  # no second factor: the password alone signs in
STRICT = {"login_pair_failures": 5, "login_ip_failures": 50, "login_account_free_failures": 20}


WRONG = "wrong-password"


def login(client, ip: str, password: str = WRONG):  # type: ignore[no-untyped-def]
    return client.post(TOKEN, json={"username": USER, "password": password}, headers=from_ip(ip))


def test_five_failures_lock_the_pair_for_fifteen_minutes_even_for_the_right_password(limited):
    client = limited(**STRICT)
    assert [login(client, "203.0.113.1").status_code for _ in range(5)] == [401] * 5
    locked = login(client, "203.0.113.1", PASSWORD)
    assert locked.status_code == 429
    assert 890 <= int(locked.headers["Retry-After"]) <= 900
    # The owner, from another address, is not affected by this address's lock.
    assert login(client, "198.51.100.1", PASSWORD).status_code == 200


def test_a_success_resets_the_pair(limited):
    client = limited(**STRICT | {"login_pair_failures": 3})  # each check hashes: keep the counts small
    for _ in range(2):
        login(client, "203.0.113.2")
    assert login(client, "203.0.113.2", PASSWORD).status_code == 200
    # Without the reset the second of these would already be refused.
    assert [login(client, "203.0.113.2").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_the_owner_at_a_known_address_signs_in_during_an_attack_from_many_addresses(limited):
    client = limited(**STRICT | {"login_account_free_failures": 3})
    assert login(client, "192.0.2.10", PASSWORD).status_code == 200  # the owner's usual address
    statuses = [login(client, f"198.51.100.{n}").status_code for n in range(8)]
    assert statuses.count(429) > 0  # the account's delay is on
    assert login(client, "192.0.2.10", PASSWORD).status_code == 200


def test_the_owner_at_a_new_address_waits_no_longer_than_the_cap(db, settings):
    strict = settings.model_copy(update=STRICT)
    now = utc_now()
    for n in range(200):  # a long attack from many addresses, each failure as soon as it is allowed
        with db.write() as session:
            try:
                logins.guard(session, username=USER, ip=f"attacker-{n}", settings=strict, now=now)
            except RateLimited as exc:
                now += timedelta(seconds=exc.retry_after)
                continue
        with db.writer() as session:
            logins.failed(session, username=USER, ip=f"attacker-{n}", settings=strict, now=now)
    with db.write() as session, pytest.raises(RateLimited) as refused:
        logins.guard(session, username=USER, ip="owner-new", settings=strict, now=now)
    assert refused.value.retry_after <= strict.login_account_max_delay_seconds
    with db.write() as session:
        logins.guard(session, username=USER, ip="owner-new", settings=strict, now=now + timedelta(seconds=60))


def failures_in_hours(db, settings, hours: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Failed attempts per hour by an attacker with a fresh address each time, as fast as allowed."""
    start = now = utc_now()
    times = []
    n = 0
    while now < start + timedelta(hours=hours):
        n += 1
        with db.write() as session:
            try:
                logins.guard(session, username=USER, ip=f"a-{n}", settings=settings, now=now)
            except RateLimited as exc:
                now += timedelta(seconds=exc.retry_after)
                continue
        with db.writer() as session:
            logins.failed(session, username=USER, ip=f"a-{n}", settings=settings, now=now)
        times.append(now)
        now += timedelta(milliseconds=100)
    # The busiest hour: a window starting at each failure.
    return [sum(1 for t in times if first <= t < first + timedelta(hours=1)) for first in times]


MAX_PER_HOUR = 100


def test_at_most_100_failed_sign_ins_an_hour_on_one_account(db, settings):
    counts = failures_in_hours(db, settings.model_copy(update=STRICT), hours=2)
    busiest = max(counts)
    print(f"\nbusiest hour: {busiest} failed sign-ins on one account (limit {MAX_PER_HOUR})")
    assert 20 < busiest <= MAX_PER_HOUR
