"""Rate limits whose counts every worker process shares: one database row per (scope, key).

A counter's window opens at its first hit and lasts `window_seconds`; the next hit after that opens a
new window. Each hit is one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement, atomic on SQLite
(one writer at a time) and on PostgreSQL (the row lock of the upsert), so two processes can never both
see "4 of 5" and both go on. The count lives in the caller's transaction: a refused request rolls its
own hit back with everything else. Hits that must survive a failing request (a wrong password) are
counted by the caller in a short transaction of their own.

Keys are stored as SHA-256 digests: the table says how often, never who.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Integer, bindparam, case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.errors import RateLimited
from paht.models import RateLimit
from paht.models.base import UTCDateTime
from paht.prepared import Prepared


@dataclass(frozen=True)
class Counter:
    hits: int
    window_start: datetime
    last_hit_at: datetime

    def seconds_left(self, window_seconds: int, now: datetime) -> int:
        """Whole seconds until this window closes (at least 1)."""
        ends = self.window_start + timedelta(seconds=window_seconds)
        return max(1, math.ceil((ends - now).total_seconds()))


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def too_many(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    wait = f"{seconds} giây" if seconds < 120 else f"{minutes} phút"
    return f"Quá nhiều yêu cầu; hãy thử lại sau {wait} (too many requests; try again in {seconds} s)."


def consume(
    session: Session,
    scope: str,
    key: str,
    *,
    limit: int,
    window_seconds: int,
    message: Callable[[int], str] | None = None,
    now: datetime | None = None,
) -> Counter:
    """Count one hit of `key` in `scope`; raise RateLimited when it is hit number `limit` + 1 or later.

    `message` turns the seconds to wait into what the client reads (Vietnamese first).
    """
    now = now or utc_now()
    counter = hit(session, scope, key, window_seconds=window_seconds, now=now)
    if counter.hits > limit:
        wait = counter.seconds_left(window_seconds, now)
        raise RateLimited((message or too_many)(wait), retry_after=wait)
    return counter


def hit(
    session: Session,
    scope: str,
    key: str,
    *,
    window_seconds: int,
    now: datetime,
    idle_expiry: bool = False,
    restart_at: int | None = None,
) -> Counter:
    """Add one hit and return the counter after it.

    `idle_expiry`: the window lasts while hits keep coming (it ends `window_seconds` after the last one).
    `restart_at`: the hit that brings the count to this number restarts the window, so a lock that
    follows it lasts a whole window from that moment.
    """
    params = {"p_scope": scope, "p_key": digest(key), "p_now": now, "p_cutoff": now - timedelta(seconds=window_seconds)}
    if restart_at is not None:
        params["p_restart_at"] = restart_at
    statement = _hit_statement(session.get_bind().dialect.name, idle_expiry, restart_at is not None)
    hits, window_start, last_hit_at = statement.rows_flushed(session, **params)[0]
    return Counter(hits, window_start, last_hit_at)


@cache
def _hit_statement(dialect: str, idle_expiry: bool, restarts: bool) -> Prepared:
    """The upsert of `hit`, built once per shape and run on the driver's cursor (paht.prepared): every
    submission runs it, and building it cost more than running it. Parameters: p_scope, p_key, p_now, p_cutoff
    (window start before which a window has ended) and, when `restarts`, p_restart_at."""
    # On the table, not the ORM entity: the ORM's bulk-insert path rebuilt the statement's cache key on
    # every execution (a third of the hit's cost); the row comes back as plain columns either way.
    table = RateLimit.__table__
    now = bindparam("p_now", type_=UTCDateTime())
    expired = (table.c.last_hit_at if idle_expiry else table.c.window_start) <= bindparam(
        "p_cutoff", type_=UTCDateTime()
    )
    restart: ColumnElement[bool] = expired
    if restarts:
        restart = expired | (table.c.hits + 1 >= bindparam("p_restart_at", type_=Integer()))
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return Prepared(
        insert(table)
        .values(scope=bindparam("p_scope"), key=bindparam("p_key"), window_start=now, hits=1, last_hit_at=now)
        .on_conflict_do_update(
            index_elements=["scope", "key"],
            set_={
                "hits": case((expired, 1), else_=table.c.hits + 1),
                "window_start": case((restart, now), else_=table.c.window_start),
                "last_hit_at": now,
            },
        )
        .returning(table.c.hits, table.c.window_start, table.c.last_hit_at)
    )


def peek(
    session: Session, scope: str, key: str, *, window_seconds: int, now: datetime, idle_expiry: bool = False
) -> Counter | None:
    """The counter of a window still open at `now`, without counting a hit."""
    row = session.execute(
        select(RateLimit.hits, RateLimit.window_start, RateLimit.last_hit_at).where(
            RateLimit.scope == scope,
            RateLimit.key == digest(key),
            ~_expired(now, window_seconds, idle_expiry=idle_expiry),
        )
    ).one_or_none()
    return Counter(*row) if row else None


def reset(session: Session, scope: str, key: str) -> None:
    session.execute(delete(RateLimit).where(RateLimit.scope == scope, RateLimit.key == digest(key)))


def purge_idle(session: Session, *, older_than_seconds: int, now: datetime | None = None) -> int:
    """Forget counters nobody hit for a while (a job calls this; every limit's window is shorter)."""
    cutoff = (now or utc_now()) - timedelta(seconds=older_than_seconds)
    return session.execute(delete(RateLimit).where(RateLimit.last_hit_at < cutoff)).rowcount


def _expired(now: datetime, window_seconds: int, *, idle_expiry: bool) -> ColumnElement[bool]:
    cutoff = literal(now - timedelta(seconds=window_seconds), UTCDateTime())
    return (RateLimit.last_hit_at if idle_expiry else RateLimit.window_start) <= cutoff
