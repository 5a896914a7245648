"""What PAHT writes beside a report's own rows, written by the raw app too: issue 7 asks for "the same rows
written". Submission limits, the abuse list, the audit chain, the consent record, the report's area, the
search row and the statistics.

The values come from PAHT's own pure functions (the audit hash, the text folding, the polygon test, the
statistics walk), so both apps do the same work; everything around them is plain SQL on the driver.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import orjson

from bench.raw.db import Conflict, Dialect
from paht.audit.chain import CHAIN_LOCK_KEY, GENESIS, row_hash
from paht.config import get_settings
from paht.models.stats import KEY_COLUMNS
from paht.places.geometry import contains
from paht.search.index import texts
from paht.stats.aggregates import History, Rows, walk_history
from paht.stats.definitions import NONE_KEY
from paht.stats.increments import ClockFact, EventFact, total

SETTINGS = get_settings()  # the limits, time zone and notice version PAHT's server reads from the same environment
TOO_MANY = (429, {"detail": "too many reports", "code": "rate_limited"})
SQL_HIT = (
    'INSERT INTO rate_limits (scope, "key", window_start, hits, last_hit_at) VALUES (?, ?, ?, 1, ?) '
    'ON CONFLICT (scope, "key") DO UPDATE SET '
    "hits = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.hits + 1 END, "
    "window_start = CASE WHEN rate_limits.window_start <= ? THEN ? ELSE rate_limits.window_start END, "
    "last_hit_at = ? RETURNING hits"
)
SQL_LISTED = (
    "SELECT id FROM abuse_entries WHERE removed_at IS NULL AND ((kind = ? AND value = ?) OR (kind = ? AND value = ?))"
)
SQL_TIP = "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"
SQL_TIP_HASHED = "SELECT hash FROM events WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1"
# PostgreSQL: the tip and the new id in one round trip, as PAHT reads them (paht.audit.chain._TIP_AND_IDS).
SQL_TIP_AND_ID = (
    "SELECT tip.id, tip.hash, nextval(pg_get_serial_sequence('events', 'id')) "
    "FROM (SELECT 1) AS one LEFT JOIN (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1) AS tip ON true"
)
EVENT_COLUMNS = (
    "id", "report_id", "kind", "action", "from_state", "to_state", "actor_id", "actor_role", "organization_id",
    "assignment_id", "payload", "created_at",
)  # fmt: skip
SQL_EVENT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, prev_hash, hash) "  # nosec B608
    f"VALUES ({', '.join('?' * (len(EVENT_COLUMNS) + 2))})"
)
SQL_CONSENT = (
    "INSERT INTO consents (report_id, basis, notice_version, channel, method, recorded_at) "
    "VALUES (?, 'consent', ?, ?, 'checkbox', ?)"
)
SQL_BOXES = (
    "SELECT id, geometry, min_lon, min_lat, max_lon, max_lat FROM areas "
    "WHERE min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?"
)
SQL_SEARCH = (
    "INSERT INTO report_search (report_id, staff_raw, staff_folded, public_raw, public_folded) VALUES (?, ?, ?, ?, ?)"
)
SQL_HISTORY = (
    "SELECT e.id, e.kind, e.action, e.from_state, e.to_state, e.assignment_id, e.created_at, e.payload, "
    "a.organization_id FROM events e LEFT JOIN assignments a ON a.id = e.assignment_id "
    "WHERE e.report_id = ? AND e.kind IN ('created', 'transition', 'rated') ORDER BY e.id"
)
SQL_DIMS = "INSERT INTO stats_report_dims (report_id, category_key, area_key) VALUES (?, ?, ?)"
BUCKET_KEY = (*KEY_COLUMNS, "metric", "bucket")


def limit_submission(connection: Any, d: Dialect, at: datetime, ip: str | None, device: str | None) -> bool:
    """`paht.abuse.submissions.limit` for an anonymous app submission: one hit per device and address, in
    the same order; False when one is past its limit (the caller answers 429 and rolls back)."""
    checks = []
    if device:
        checks.append(("submit_device", device, SETTINGS.submit_limit_per_device))
    if ip:
        checks.append(("submit_ip", ip, SETTINGS.submit_limit_per_ip))
    cutoff = d.ts(at - timedelta(seconds=SETTINGS.submit_window_seconds))
    for scope, key, most in sorted(checks):
        digest = hashlib.sha256(key.encode()).hexdigest()
        params = (scope, digest, d.ts(at), d.ts(at), cutoff, cutoff, d.ts(at), d.ts(at))
        hits = connection.execute(d.sql(SQL_HIT), params).fetchone()[0]
        if hits > most:
            return False
    return True


def listed(connection: Any, d: Dialect, phone: str | None, email: str | None) -> bool:
    """`paht.abuse.entries.match` for a reporter's phone and e-mail (a held report when listed)."""
    if not (phone or email):
        return False
    params = ("phone", phone or "", "email", (email or "").lower())
    return connection.execute(d.sql(SQL_LISTED), params).fetchone() is not None


def append_event(connection: Any, d: Dialect, **fields: Any) -> int:
    """Insert an event as the next link of the audit chain (`paht.audit.chain`): the tip read under the
    chain's lock (SQLite: the writer's own; PostgreSQL: the advisory lock), the id after it, the hash."""
    if d.sqlite:
        tip = connection.execute(SQL_TIP).fetchone()
        tip_id, tip_hash = (tip[0], tip[1]) if tip else (None, None)
        event_id = (tip_id or 0) + 1
    else:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK_KEY,))
        tip_id, tip_hash, event_id = connection.execute(SQL_TIP_AND_ID).fetchone()
    if tip_id is None:
        tip_hash = GENESIS
    elif tip_hash is None:
        hashed = connection.execute(SQL_TIP_HASHED).fetchone()
        tip_hash = hashed[0] if hashed else GENESIS
    row = SimpleNamespace(id=event_id, **fields)
    digest = row_hash(tip_hash, row)
    values = [getattr(row, name) for name in EVENT_COLUMNS]
    values[1], values[10], values[11] = d.uid(row.report_id), orjson.dumps(row.payload).decode(), d.ts(row.created_at)
    try:
        connection.execute(d.sql(SQL_EVENT), (*values, tip_hash, digest))
    except Exception as exc:  # another chain writer got there first: the client retries
        raise Conflict(str(exc)) from exc
    return event_id


def record_consent(connection: Any, d: Dialect, report_id: uuid.UUID, channel: str, at: datetime) -> None:
    """`paht.privacy.consent.record_consent` for the app and web channels (consent ticked)."""
    connection.execute(d.sql(SQL_CONSENT), (d.uid(report_id), SETTINGS.notice_version, channel, d.ts(at)))


def place(connection: Any, d: Dialect, report_id: uuid.UUID, lat: float | None, lon: float | None, at: datetime) -> int:
    """`paht.places.service.place_report` for a new report: its area (the smallest box holding the point),
    stored in report_places; the area key of its statistics (NONE_KEY without one)."""
    if lat is None or lon is None:
        return NONE_KEY
    hits = []
    for area_id, geometry, min_lon, min_lat, max_lon, max_lat in connection.execute(
        d.sql(SQL_BOXES), (lon, lon, lat, lat)
    ).fetchall():
        if contains(d.json_out(geometry), lon, lat):
            hits.append(((max_lon - min_lon) * (max_lat - min_lat), area_id))
    if not hits:
        return NONE_KEY
    area_id = min(hits)[1]
    connection.execute(
        d.sql("INSERT INTO report_places (report_id, area_id, placed_at) VALUES (?, ?, ?)"),
        (d.uid(report_id), area_id, d.ts(at)),
    )
    return area_id


def index_new(connection: Any, d: Dialect, report: dict) -> None:
    """`paht.search.index.sync_report` for a new report: its row of folded texts."""
    wanted = texts(SimpleNamespace(**report))  # type: ignore[arg-type]
    connection.execute(d.sql(SQL_SEARCH), (d.uid(report["id"]), *wanted.values()))


def reindex(connection: Any, d: Dialect, report: dict, report_id: uuid.UUID) -> None:
    """`paht.search.index.sync_report` after a change: the row rewritten only when its texts changed."""
    wanted = texts(SimpleNamespace(**report))  # type: ignore[arg-type]
    row = connection.execute(
        d.sql("SELECT staff_raw, staff_folded, public_raw, public_folded FROM report_search WHERE report_id = ?"),
        (d.uid(report_id),),
    ).fetchone()
    if row is not None and tuple(row) != tuple(wanted.values()):
        columns = ", ".join(f"{name} = ?" for name in wanted)
        connection.execute(
            d.sql(f"UPDATE report_search SET {columns} WHERE report_id = ?"),  # nosec B608
            (*wanted.values(), d.uid(report_id)),
        )


def count_new(connection: Any, d: Dialect, report: dict, event: EventFact, area: int) -> None:
    """`paht.stats.aggregates.on_report_change` for a new report: its one event counted, its dimensions kept."""
    dims = (report["category_id"] or NONE_KEY, area)
    history = History(report["channel"], dims, events=[event])
    rows = Rows()
    rows.add(total(delta for _, delta in walk_history(history, SETTINGS.timezone)), dims)
    _write(connection, d, rows)
    connection.execute(
        d.sql(SQL_DIMS),
        (d.uid(report["id"]), *dims),
    )


def count_step(
    connection: Any, d: Dialect, report_id: uuid.UUID, channel: str, category: int | None, event_id: int
) -> None:
    """`on_report_change` for a workflow step: the report's history read back and walked, the new event's
    deltas added (the whole history moved when its dimensions changed, counted when never seen)."""
    key = (d.uid(report_id),)
    area = connection.execute(d.sql("SELECT area_id FROM report_places WHERE report_id = ?"), key).fetchone()
    history = History(channel, (category or NONE_KEY, area[0] if area else NONE_KEY))
    for row in connection.execute(d.sql(SQL_HISTORY), key).fetchall():
        payload = d.json_out(row[7]) or {}
        history.events.append(EventFact(*row[:6], d.ts_value(row[6]), payload))  # type: ignore[arg-type]
        if row[5] is not None and row[8] is not None:
            history.body_of[row[5]] = row[8]
    for stage, started, due in connection.execute(
        d.sql("SELECT stage, started_at, due_at FROM sla_clocks WHERE report_id = ?"), key
    ).fetchall():
        history.clocks.append(ClockFact(stage, d.ts_value(started), d.ts_value(due)))  # type: ignore[arg-type]
    stored = connection.execute(
        d.sql("SELECT category_key, area_key FROM stats_report_dims WHERE report_id = ?"), key
    ).fetchone()
    steps = walk_history(history, SETTINGS.timezone)
    rows = Rows()
    if stored is None:
        rows.add(total(delta for _, delta in steps), history.dims)
        connection.execute(
            d.sql(SQL_DIMS),
            (*key, *history.dims),
        )
    elif tuple(stored) != history.dims:
        rows.add(total(delta for step, delta in steps if step != event_id), tuple(stored), -1)  # type: ignore[arg-type]
        rows.add(total(delta for _, delta in steps), history.dims)
        connection.execute(
            d.sql("UPDATE stats_report_dims SET category_key = ?, area_key = ? WHERE report_id = ?"),
            (*history.dims, *key),
        )
    else:
        rows.add(total(delta for step, delta in steps if step == event_id), history.dims)
    _write(connection, d, rows)


def _write(connection: Any, d: Dialect, rows: Rows) -> None:
    """The rows added to stats_daily (one statement per set of counters) and stats_buckets, in key order."""
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for key, values in sorted(rows.counters.items()):
        names = tuple(sorted(name for name, value in values.items() if value))
        if names:
            groups.setdefault(names, []).append((*_key(d, key), *(values[name] for name in names)))
    for names, params in groups.items():
        _upsert(connection, d, "stats_daily", KEY_COLUMNS, names, params)
    buckets = sorted((*key, metric, bucket, n) for (key, metric, bucket), n in rows.buckets.items() if n)
    if buckets:
        params = [(*_key(d, row[:5]), *row[5:]) for row in buckets]
        _upsert(connection, d, "stats_buckets", BUCKET_KEY, ("count",), params)


def _key(d: Dialect, key: Iterable[Any]) -> tuple:
    grain, day, *rest = key
    return (grain, day.isoformat() if d.sqlite else day, *rest)


def _upsert(
    connection: Any, d: Dialect, table: str, key: tuple[str, ...], added: tuple[str, ...], params: list
) -> None:
    """SQLite: one prepared statement, executemany. PostgreSQL: one statement with every row (one round trip,
    as PAHT's unnest; an executemany is a message per row)."""
    columns = (*key, *added)
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in added)
    one = f"({', '.join('?' * len(columns))})"
    rows = one if d.sqlite else ", ".join([one] * len(params))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {rows} "  # nosec B608
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )
    if d.sqlite:
        connection.executemany(sql, params)
    else:
        connection.execute(d.sql(sql), [value for row in params for value in row])
