"""The server and the worker refuse a database that could lose an acknowledged write (reliability row 1, §4).

SQLite must run in WAL mode with synchronous=FULL, or NORMAL on PAHT's writers, which flush the WAL before
a commit returns (group commit, paht.walsync); PostgreSQL with fsync=on and synchronous_commit on
(or local, remote_write, remote_apply, which also wait for the local flush). The tests make a database
unsafe the way an operator could (a connection hook, ALTER DATABASE) and check that startup stops with
a message naming the setting.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from paht.config import Settings
from paht.db import Database, commits_grouped
from paht.errors import UnsafeDatabase
from paht.main import create_app
from paht.ops.durability import durability_findings
from tests.reliability.processes import paht_env


def start_app(url: str, tmp_path, db: Database | None = None) -> None:
    settings = Settings(database_url=url, data_dir=tmp_path / "data", run_worker_in_process=False)
    with TestClient(create_app(settings, db or Database(url), worker=False)) as client:
        assert client.get("/healthz").status_code == 200


def forcing(db: Database, pragma: str) -> Database:
    """A connection hook that runs after ours, as a careless tuning snippet would."""

    @event.listens_for(db.engine, "connect")
    def _unsafe(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(pragma)

    return db


def test_a_normal_sqlite_database_starts(tmp_path):
    url = f"sqlite:///{tmp_path / 'ok.sqlite3'}"
    assert durability_findings(Database(url)) == []
    start_app(url, tmp_path)


def test_sqlite_normal_is_refused_where_nothing_flushes_the_wal(tmp_path):
    """NORMAL is safe only on an engine whose commits wait for the WAL flush (PAHT's writers)."""
    url = f"sqlite:///{tmp_path / 'ok.sqlite3'}"
    db = Database(url)
    assert commits_grouped(db.engine) and not commits_grouped(db.read_engine)
    db.engine = db.read_engine  # an engine without group commit, forced to NORMAL
    with pytest.raises(UnsafeDatabase) as refused:
        start_app(url, tmp_path, forcing(db, "PRAGMA synchronous=NORMAL"))
    assert "PRAGMA synchronous = 1" in refused.value.message


@pytest.mark.parametrize(
    ("pragma", "named"),
    [("PRAGMA synchronous=OFF", "PRAGMA synchronous = 0"), ("PRAGMA journal_mode=DELETE", "journal_mode = delete")],
)
def test_sqlite_without_wal_and_full_sync_is_refused_at_startup(tmp_path, pragma, named):
    url = f"sqlite:///{tmp_path / 'unsafe.sqlite3'}"
    with pytest.raises(UnsafeDatabase) as refused:
        start_app(url, tmp_path, forcing(Database(url), pragma))
    assert named in refused.value.message
    assert "Cách sửa" in refused.value.message and "unsafe database" in refused.value.message


def _alter(url: str, value: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{make_url(url).database}" SET synchronous_commit = {value}'))
    engine.dispose()


def test_postgres_with_synchronous_commit_off_is_refused(postgres_scratch_url, tmp_path):
    start_app(postgres_scratch_url, tmp_path)  # the defaults are safe
    _alter(postgres_scratch_url, "off")
    with pytest.raises(UnsafeDatabase) as refused:
        start_app(postgres_scratch_url, tmp_path)
    assert "synchronous_commit = off" in refused.value.message


@pytest.mark.parametrize("value", ["remote_write", "remote_apply", "local"])
def test_postgres_commit_levels_that_flush_locally_are_accepted(postgres_scratch_url, tmp_path, value):
    _alter(postgres_scratch_url, value)
    assert durability_findings(Database(postgres_scratch_url)) == []


@pytest.mark.parametrize("command", [["serve", "--port", "9"], ["worker"]])
def test_paht_serve_and_worker_exit_with_the_reason(postgres_scratch_url, tmp_path, command):
    _alter(postgres_scratch_url, "off")
    env = paht_env(postgres_scratch_url, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "paht.cli", *command], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "synchronous_commit" in done.stdout and "unsafe database" in " ".join(done.stdout.split())
