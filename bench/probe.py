"""The machine's facts printed with every result: the fsync probe, versions and durability settings."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PACKAGES = (
    "fastapi", "starlette", "pydantic", "pydantic-core", "sqlalchemy", "uvicorn", "uvloop", "httptools", "orjson",
    "psycopg", "psycopg-binary",
)  # fmt: skip


def fsync_probe(directory: Path, seconds: float = 2.0) -> dict[str, float]:
    """Append 4 KiB and fdatasync, as a WAL does on every commit: the floor of one-commit-per-request."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ".fsync-probe"
    block = os.urandom(4096)
    count, started = 0, time.perf_counter()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while time.perf_counter() - started < seconds:
            os.write(descriptor, block)
            os.fdatasync(descriptor)
            count += 1
    finally:
        os.close(descriptor)
        path.unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    return {"append_4k_fdatasync_per_s": round(count / elapsed), "mean_us": round(elapsed / count * 1e6, 1)}


def git_revision() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def versions(database_url: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    if make_url(database_url).get_backend_name() != "sqlite":
        engine = create_engine(database_url)
        with engine.connect() as connection:
            found["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return found


def durability(database_url: str) -> dict[str, Any]:
    """What the servers run with: both apps set these on every connection (checked by the tests)."""
    if make_url(database_url).get_backend_name() == "sqlite":
        connection = sqlite3.connect(make_url(database_url).database)
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        connection.close()
        return {
            "journal_mode": mode,
            "synchronous": "FULL (bench.raw.db); PAHT's writers NORMAL + a shared WAL fdatasync before each commit "
            "returns (paht.walsync)",
        }
    engine = create_engine(database_url)
    with engine.connect() as connection:
        settings = {
            name: connection.execute(text(f"SHOW {name}")).scalar()
            for name in ("synchronous_commit", "fsync", "wal_sync_method", "shared_buffers")
        }
    engine.dispose()
    return settings
