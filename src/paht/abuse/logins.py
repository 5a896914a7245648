"""Password guessing limits that cannot be turned into a way to lock a victim out.

Three counters of failed sign-ins, checked before the password is looked at (a refused attempt tells
nothing about the password):

1. **Account + address** ("pair"): 5 failures lock this address out of this account for 15 minutes
   from the 5th. The owner's own success resets it. This is the lockout the TCVN level-3 summary asks
   for (≤ 5 failures), scoped so that it only ever stops the address that guessed.
2. **Account, all addresses**: the first 20 failures are free; after that each attempt must wait
   2^(n−20) seconds after the account's last failure, capped at 60 s. The count ends after an hour
   without failures. With the cap, an attacker with unlimited addresses gets at most about 85 guesses
   an hour (ASVS 4.0.3 2.2.1 asks for ≤ 100), and a victim is never held up longer than the cap.
3. **Address, all accounts**: 50 failures in 15 minutes stop password spraying from one address.

An address that signed in to the account before (within 30 days) and has not failed since is
**known**: rules 2 and 3 do not apply to it, so an attacker elsewhere — however many addresses they
use — cannot stop the owner signing in from their usual place at all.

Failures are committed at once, in the sign-in's own short transaction, although the request fails.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.orm import Session

from paht.abuse import limits
from paht.clock import utc_now
from paht.config import Settings
from paht.errors import RateLimited

PAIR, ACCOUNT, ADDRESS, KNOWN = "login_pair", "login_account", "login_ip", "login_known"


def _pair(username: str, ip: str) -> str:
    return f"{username.strip().lower()}|{ip}"


def _account(username: str) -> str:
    return username.strip().lower()


def _wait_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    wait = f"{seconds} giây" if seconds < 120 else f"{minutes} phút"
    return f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {wait} (too many failed sign-ins; try again in {seconds} s)."


def account_delay(failures: int, settings: Settings) -> int:
    """Seconds an unknown address must wait after the account's last failure (0: none)."""
    over = failures - settings.login_account_free_failures
    if over < 0:
        return 0
    return min(2 ** min(over, 30), settings.login_account_max_delay_seconds)


def _known(session: Session, username: str, ip: str, settings: Settings, now: datetime) -> bool:
    window = settings.login_known_days * 86400
    if limits.peek(session, KNOWN, _pair(username, ip), window_seconds=window, now=now) is None:
        return False
    return (
        limits.peek(session, PAIR, _pair(username, ip), window_seconds=settings.login_pair_lock_seconds, now=now)
        is None
    )


def guard(session: Session, *, username: str, ip: str, settings: Settings, now: datetime | None = None) -> None:
    """Raise RateLimited (429) when this attempt may not even be checked."""
    now = now or utc_now()
    pair = limits.peek(session, PAIR, _pair(username, ip), window_seconds=settings.login_pair_lock_seconds, now=now)
    if pair is not None and pair.hits >= settings.login_pair_failures:
        wait = pair.seconds_left(settings.login_pair_lock_seconds, now)
        raise RateLimited(_wait_message(wait), retry_after=wait)
    if _known(session, username, ip, settings, now):
        return
    address = limits.peek(session, ADDRESS, ip, window_seconds=settings.login_ip_window_seconds, now=now)
    if address is not None and address.hits >= settings.login_ip_failures:
        wait = address.seconds_left(settings.login_ip_window_seconds, now)
        raise RateLimited(_wait_message(wait), retry_after=wait)
    account = limits.peek(
        session, ACCOUNT, _account(username), window_seconds=settings.login_account_window_seconds, now=now,
        idle_expiry=True,
    )  # fmt: skip
    if account is not None:
        ready = (now - account.last_hit_at).total_seconds()
        delay = account_delay(account.hits, settings)
        if ready < delay:
            wait = max(1, math.ceil(delay - ready))
            raise RateLimited(_wait_message(wait), retry_after=wait)


def failed(session: Session, *, username: str, ip: str, settings: Settings, now: datetime | None = None) -> None:
    """Count a wrong password and commit at once: the request fails, yet the count must stay.

    A failed sign-in changes nothing else, so what the session holds besides (an audit record of the
    failure, if any) is committed with the count rather than thrown away.
    """
    now = now or utc_now()
    limits.hit(
        session,
        PAIR,
        _pair(username, ip),
        window_seconds=settings.login_pair_lock_seconds,
        now=now,
        restart_at=settings.login_pair_failures,
    )
    limits.hit(
        session,
        ACCOUNT,
        _account(username),
        window_seconds=settings.login_account_window_seconds,
        now=now,
        idle_expiry=True,
    )
    limits.hit(session, ADDRESS, ip, window_seconds=settings.login_ip_window_seconds, now=now)
    session.commit()


def succeeded(session: Session, *, username: str, ip: str, settings: Settings, now: datetime | None = None) -> None:
    """The owner got in from this address: forget its failures and remember the address as known."""
    now = now or utc_now()
    limits.reset(session, PAIR, _pair(username, ip))
    limits.reset(session, KNOWN, _pair(username, ip))
    limits.hit(session, KNOWN, _pair(username, ip), window_seconds=settings.login_known_days * 86400, now=now)
