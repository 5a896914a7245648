"""The durability self-check: refuse to serve on a database that could lose an acknowledged write.

A report is acknowledged (201) only after its transaction commits, so the commit must survive a crash:

- SQLite: `journal_mode=wal` and `synchronous=2` (FULL). Any setting survives an application crash, but
  WAL with NORMAL may roll back the last commits on a power loss or an OS crash; FULL does not. PAHT's own
  writers of a database file run NORMAL and flush the WAL themselves before a commit returns (group commit,
  `paht.walsync`), so on their engine NORMAL is what is required, and FULL (slower, as safe) is accepted.
- PostgreSQL: `fsync=on` and a `synchronous_commit` that waits for the local WAL flush before the commit
  returns: `on`, `local`, `remote_write` or `remote_apply` (the last two also wait for a standby). With
  `off` the server may lose up to 3 × `wal_writer_delay` of "committed" transactions on a crash.

The check reads the settings on a real connection of the application's own engine (so per-database and
per-role settings, and our own connection pragmas, are what is checked) and costs one round of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from paht.db import Database, commits_grouped
from paht.errors import UnsafeDatabase

SAFE_SYNCHRONOUS_COMMIT = frozenset({"on", "local", "remote_write", "remote_apply"})
SQLITE_NORMAL, SQLITE_FULL = 1, 2


@dataclass(frozen=True)
class Finding:
    setting: str
    found: str
    required: str
    fix: str

    def message(self) -> str:
        return (
            f"Cơ sở dữ liệu không an toàn khi sập: {self.setting} = {self.found}, cần {self.required}. "
            f"Cách sửa: {self.fix} (unsafe database: {self.setting} is {self.found}, {self.required} is required)."
        )


def _sqlite_findings(engine: Engine) -> list[Finding]:
    # A raw DBAPI connection: it ran our connect pragmas, and reading pragmas takes no write lock (no BEGIN).
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        journal = str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        synchronous = int(cursor.execute("PRAGMA synchronous").fetchone()[0])
        cursor.close()
    finally:
        connection.close()
    findings = []
    if journal != "wal":
        fix = "dùng một tệp SQLite trên đĩa cục bộ hỗ trợ WAL (a local file that supports WAL, not :memory:)"
        findings.append(Finding("PRAGMA journal_mode", journal, "wal", fix))
    grouped = commits_grouped(engine)
    if synchronous not in ((SQLITE_NORMAL, SQLITE_FULL) if grouped else (SQLITE_FULL,)):
        fix = "bỏ mọi PRAGMA synchronous khác trong cấu hình kết nối (remove any override of synchronous)"
        required = "1 (NORMAL, with PAHT's group commit) or 2 (FULL)" if grouped else "2 (FULL)"
        findings.append(Finding("PRAGMA synchronous", str(synchronous), required, fix))
    return findings


def _postgres_findings(engine: Engine) -> list[Finding]:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW fsync")
        fsync = str(cursor.fetchone()[0]).lower()
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = str(cursor.fetchone()[0]).lower()
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    findings = []
    if fsync != "on":
        findings.append(Finding("fsync", fsync, "on", "đặt fsync = on trong postgresql.conf rồi khởi động lại"))
    if synchronous_commit not in SAFE_SYNCHRONOUS_COMMIT:
        fix = (
            "ALTER SYSTEM/DATABASE/ROLE … RESET synchronous_commit (hoặc SET synchronous_commit = on) "
            "và bỏ PGOPTIONS đặt nó"
        )
        findings.append(Finding("synchronous_commit", synchronous_commit, "on (or remote_write/remote_apply)", fix))
    return findings


def durability_findings(db: Database) -> list[Finding]:
    """What is unsafe about the database's durability settings (empty when it is safe)."""
    return _sqlite_findings(db.engine) if db.sqlite else _postgres_findings(db.engine)


def require_durable(db: Database) -> None:
    """Raise UnsafeDatabase naming each unsafe setting and its fix; the server and the worker refuse to start."""
    findings = durability_findings(db)
    if findings:
        raise UnsafeDatabase(" ".join(finding.message() for finding in findings))
