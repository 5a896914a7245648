"""`paht restore` and the verification every restore (and `paht backup --verify`) ends with.

A restore first checks the file against its manifest (SHA-256), then refuses a target database that
already holds tables unless forced, copies the backup in, and verifies the result:
PRAGMA integrity_check (SQLite), the row count of every table against the manifest, the Alembic revision,
and the audit hash chain (which must also cover exactly the manifest's number of events).
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from paht.db import Database, _prepare_sqlite_file, is_sqlite
from paht.errors import BackupRefused
from paht.ops.backup import (
    PG_FORMAT,
    SQLITE_FORMAT,
    Manifest,
    Step,
    alembic_revision,
    libpq_target,
    run_tool,
    sha256_of,
    table_counts,
)


@dataclass
class Verification:
    integrity: str  # "ok", SQLite's first complaint, or "n/a" on PostgreSQL
    revision: tuple[str | None, str | None]  # (manifest, restored)
    mismatched: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # table: (manifest, restored)
    tables: int = 0
    rows: int = 0
    chain_ok: bool | None = None  # None: the audit chain module is not installed
    chain_checked: int = 0
    chain_broken_id: int | None = None
    chain_reason: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.integrity in ("ok", "n/a")
            and self.revision[0] == self.revision[1]
            and not self.mismatched
            and self.chain_ok is not False
        )


def check_file(backup_file: Path) -> Manifest:
    """The manifest of an intact backup file; refuses a missing, truncated or altered file."""
    if not backup_file.is_file():
        raise BackupRefused(f"Không thấy tệp sao lưu (backup file not found): {backup_file}")
    manifest = Manifest.read(backup_file)
    if backup_file.stat().st_size != manifest.size_bytes or sha256_of(backup_file) != manifest.sha256:
        raise BackupRefused(
            f"Tệp sao lưu {backup_file.name} bị hỏng hoặc đã bị sửa: SHA-256 không khớp với manifest; "
            "không khôi phục (backup file corrupt or altered: SHA-256 does not match its manifest; refused)."
        )
    return manifest


def _tables(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _sqlite_restore(backup_file: Path, url: str) -> None:
    target = Path(make_url(url).database or "")
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # replaces every page of the target
    finally:
        copy.close()
        source.close()


def _postgres_restore(backup_file: Path, url: str, *, clean: bool) -> None:
    uri, env = libpq_target(url)
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    run_tool([*args, "-d", uri, str(backup_file)], env)


def restore(backup_file: Path, url: str, *, force: bool = False, step: Step = lambda _: None) -> Verification:
    """Restore `backup_file` into the database at `url` (empty unless `force`), then verify it."""
    step("kiểm tra SHA-256 (checksum)")
    manifest = check_file(backup_file)
    expected = SQLITE_FORMAT if is_sqlite(url) else PG_FORMAT
    if manifest.format != expected:
        raise BackupRefused(
            f"Bản sao lưu dạng {manifest.format} không khôi phục được vào cơ sở dữ liệu này "
            f"(a {manifest.format} backup restores only into its own kind of database)."
        )
    if is_sqlite(url):
        _prepare_sqlite_file(url)
    existing = _tables(url)
    if existing and not force:
        raise BackupRefused(
            f"Cơ sở dữ liệu đích đã có {len(existing)} bảng; dùng một cơ sở dữ liệu trống hoặc --force "
            f"(the target database is not empty: {len(existing)} tables; use an empty one or --force)."
        )
    step("khôi phục (restore)")
    if is_sqlite(url):
        _sqlite_restore(backup_file, url)
    else:
        _postgres_restore(backup_file, url, clean=bool(existing))
    return verify(url, manifest, step=step)


def verify(url: str, manifest: Manifest, *, step: Step = lambda _: None) -> Verification:
    """Compare a restored database with the manifest of its backup and check its audit chain."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            step("PRAGMA integrity_check" if is_sqlite(url) else "đếm số dòng (row counts)")
            integrity = "n/a"
            if is_sqlite(url):
                integrity = str(connection.exec_driver_sql("PRAGMA integrity_check").scalar())
            found = table_counts(connection)
            revision = alembic_revision(connection)
    finally:
        engine.dispose()
    result = Verification(integrity=integrity, revision=(manifest.alembic_revision, revision))
    result.tables, result.rows = len(manifest.counts), sum(manifest.counts.values())
    for name, count in manifest.counts.items():
        if found.get(name) != count:
            result.mismatched[name] = (count, found.get(name))
    step("chuỗi băm nhật ký (audit hash chain)")
    _verify_chain(url, manifest, result)
    return result


def _verify_chain(url: str, manifest: Manifest, result: Verification) -> None:
    try:
        from paht.audit.chain import verify_chain
    except ImportError:  # an older tree without the tamper-evident log: nothing to check
        return
    database = Database(url)
    try:
        with database.read() as session:
            check = verify_chain(session)
    finally:
        database.dispose()
    result.chain_checked, result.chain_broken_id = check.checked, check.first_broken_id
    result.chain_reason = check.reason
    # A chain cut short at its newest rows is still a valid chain: the manifest's count notices it.
    expected = manifest.counts.get("events")
    result.chain_ok = check.ok and (expected is None or check.checked == expected)
    if check.ok and not result.chain_ok:
        result.chain_reason = f"the chain has {check.checked} events, the backup recorded {expected}"


@contextmanager
def scratch_database(like_url: str) -> Iterator[str]:
    """A new empty database of the same kind, dropped afterwards (PostgreSQL: on the same server)."""
    if is_sqlite(like_url):
        with tempfile.TemporaryDirectory(prefix="paht-verify-") as folder:
            yield f"sqlite:///{Path(folder) / 'scratch.sqlite3'}"
        return
    parsed = make_url(like_url)
    name = f"{parsed.database}_verify_{uuid.uuid4().hex[:8]}"
    admin = create_engine(like_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def verify_backup(backup_file: Path, like_url: str, *, step: Step = lambda _: None) -> Verification:
    """`paht backup --verify`: restore the file into a scratch database and verify it there."""
    with scratch_database(like_url) as scratch:
        return restore(backup_file, scratch, step=step)
