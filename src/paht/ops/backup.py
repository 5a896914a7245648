"""`paht backup`: a consistent copy of the database and a manifest that lets a restore prove itself.

- SQLite: the sqlite3 online backup API copies the whole database in one step from one read snapshot. In
  WAL mode readers never block the writer, so the server keeps accepting reports meanwhile.
- PostgreSQL: `pg_dump -Fc --snapshot=…` inside a REPEATABLE READ transaction that also counts the rows,
  so the counts describe exactly the snapshot that was dumped, however busy the server is.

The manifest (`FILE.manifest.json`) records the row count of every table, the Alembic revision, the time
and the SHA-256 of the file. A restore refuses a file whose SHA-256 differs, then checks the counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Connection, column, create_engine, func, inspect, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from paht.clock import utc_now
from paht.db import is_sqlite
from paht.errors import BackupRefused

Step = Callable[[str], None]
MANIFEST_SUFFIX = ".manifest.json"
SQLITE_FORMAT = "sqlite"
PG_FORMAT = "pg_dump-custom"
SQLITE_BUSY_MS = 30_000


@dataclass(frozen=True)
class Manifest:
    format: str
    created_at: str
    alembic_revision: str | None
    counts: dict[str, int]
    sha256: str
    size_bytes: int

    def write(self, backup_file: Path) -> Path:
        path = manifest_path(backup_file)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def read(cls, backup_file: Path) -> Manifest:
        path = manifest_path(backup_file)
        if not path.is_file():
            raise BackupRefused(f"Không thấy manifest {path.name} cạnh tệp sao lưu (the backup's manifest is missing).")
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise BackupRefused(f"Manifest {path.name} không đọc được (unreadable manifest): {exc}") from None


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + MANIFEST_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table of the connection's schema, in one snapshot when the caller holds a transaction."""
    names = sorted(inspect(connection).get_table_names())
    return {name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0) for name in names}


def alembic_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(select(column("version_num")).select_from(table("alembic_version")))


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore; the password travels in PGPASSWORD, never in argv."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    return plain.render_as_string(hide_password=False), env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    """Run pg_dump or pg_restore; its own error message becomes ours."""
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupRefused(
            f"Không tìm thấy {args[0]}; hãy cài postgresql-client (apt-get install postgresql-client)."
        ) from None
    if result.returncode != 0:
        raise BackupRefused(f"{Path(args[0]).name} thất bại (failed): {result.stderr.strip()[-2000:]}")


def _sqlite_backup(url: str, target: Path, step: Step) -> tuple[str | None, dict[str, int]]:
    source_path = make_url(url).database
    if not source_path or not Path(source_path).is_file():
        raise BackupRefused(f"Không thấy tệp cơ sở dữ liệu (database file not found): {source_path}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=SQLITE_BUSY_MS / 1000)
    copy = sqlite3.connect(target)
    try:
        step("sao chép trực tuyến (sqlite3 online backup)")
        source.backup(copy)  # pages=-1: the whole database from one read snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file: no -wal beside it
        step("kiểm tra bản sao (quick_check, row counts)")
        problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupRefused(f"Bản sao SQLite hỏng ngay khi tạo (the copy failed its check): {problem}")
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return alembic_revision(connection), table_counts(connection)
    finally:
        engine.dispose()


def _postgres_backup(url: str, target: Path, step: Step) -> tuple[str | None, dict[str, int]]:
    engine = create_engine(url, poolclass=NullPool, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            step("pg_dump -Fc")
            uri, env = libpq_target(url)
            run_tool(["pg_dump", "-Fc", f"--snapshot={snapshot}", "--no-owner", "-f", str(target), uri], env)
            step("đếm số dòng trong cùng snapshot (row counts, same snapshot)")
            return alembic_revision(connection), table_counts(connection)
    finally:
        engine.dispose()


def backup(url: str, file: Path, *, step: Step = lambda _: None) -> Manifest:
    """Write a consistent backup of `url` to `file` and its manifest next to it; safe while the server runs."""
    file = file.resolve()
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(f".{file.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if is_sqlite(url):
            fmt, (revision, counts) = SQLITE_FORMAT, _sqlite_backup(url, partial, step)
        else:
            fmt, (revision, counts) = PG_FORMAT, _postgres_backup(url, partial, step)
        partial.chmod(0o600)  # citizens' personal data: readable by the backup's owner only
        step("SHA-256")
        manifest = Manifest(
            format=fmt,
            created_at=utc_now().isoformat(),
            alembic_revision=revision,
            counts=counts,
            sha256=sha256_of(partial),
            size_bytes=partial.stat().st_size,
        )
        partial.replace(file)  # the file appears whole or not at all
    finally:
        partial.unlink(missing_ok=True)
    manifest.write(file)
    return manifest
