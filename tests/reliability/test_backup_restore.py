"""`paht backup` and `paht restore` (reliability-anchors row 25): a backup taken while reports keep arriving
restores into an empty database with the manifest's row counts and a valid audit chain; a damaged file,
a non-empty target and a tampered event are all refused or reported."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from paht.cli import app as paht_cli
from paht.config import get_settings
from paht.db import is_sqlite
from paht.errors import BackupRefused
from paht.models import Event, Report
from paht.ops.backup import Manifest, backup, manifest_path
from paht.ops.restore import restore, verify
from tests.audit.tamper import behind_the_apps_back
from tests.factories import new_report_body


def submit(client) -> str:
    response = client.post("/api/v1/reports", json=new_report_body(), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def count(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def tables(url: str) -> list[str]:
    if is_sqlite(url) and not Path(make_url(url).database or "").exists():
        return []  # not even created
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def flip_bytes(path, at: int) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(at, at + 4):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_backup_taken_while_reports_arrive_restores_exactly(client, db, database_url, scratch_url, tmp_path):
    stop, first, written = threading.Event(), threading.Event(), []

    def writer() -> None:
        while not stop.is_set():
            written.append(submit(client))
            first.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert first.wait(60)
        manifest = backup(database_url, tmp_path / "paht.backup")
        submitted_during = len(written)
    finally:
        stop.set()
        thread.join(60)
    assert 1 <= manifest.counts["reports"] <= submitted_during
    assert count(db, Report) == len(written)  # the writer kept going
    assert manifest.counts["events"] >= manifest.counts["reports"]
    assert manifest == Manifest.read(tmp_path / "paht.backup") and manifest.alembic_revision

    result = restore(tmp_path / "paht.backup", scratch_url)
    assert result.ok, result
    assert result.integrity in ("ok", "n/a") and result.mismatched == {}
    assert result.chain_ok and result.chain_checked == manifest.counts["events"]


def test_a_damaged_backup_file_is_refused_before_the_target_is_touched(client, database_url, scratch_url, tmp_path):
    submit(client)
    file = tmp_path / "paht.backup"
    backup(database_url, file)
    flip_bytes(file, file.stat().st_size // 2)
    with pytest.raises(BackupRefused) as refused:
        restore(file, scratch_url)
    assert "SHA-256" in refused.value.message and "corrupt or altered" in refused.value.message
    assert tables(scratch_url) == []
    manifest_path(file).unlink()
    with pytest.raises(BackupRefused, match="manifest"):
        restore(file, scratch_url)


def test_a_non_empty_target_is_refused_unless_forced(client, database_url, scratch_url, tmp_path):
    submit(client)
    file = tmp_path / "paht.backup"
    backup(database_url, file)
    assert restore(file, scratch_url).ok
    with pytest.raises(BackupRefused, match="not empty"):
        restore(file, scratch_url)
    assert restore(file, scratch_url, force=True).ok


def test_verification_reports_a_tampered_event_and_a_missing_row(client, db, database_url, scratch_url, tmp_path):
    submit(client)
    submit(client)
    with db.read() as session:
        first_event = session.scalar(select(func.min(Event.id)))
    behind_the_apps_back(db, "UPDATE events SET actor_role = 'admin' WHERE id = :id", id=first_event)
    file = tmp_path / "paht.backup"
    manifest = backup(database_url, file)
    result = restore(file, scratch_url)
    assert not result.ok and result.chain_ok is False and result.chain_broken_id == first_event
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM idempotency_keys"))
    engine.dispose()
    assert verify(scratch_url, manifest).mismatched == {"idempotency_keys": (2, 0)}


def test_the_commands_back_up_verify_restore_and_refuse(client, database_url, scratch_url, tmp_path, monkeypatch):
    submit(client)
    monkeypatch.setenv("PAHT_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner, file = CliRunner(), tmp_path / "backups" / "paht.backup"
        made = runner.invoke(paht_cli, ["backup", str(file), "--verify"])
        assert made.exit_code == 0, made.output
        assert "restore verified" in made.output and "audit chain" in made.output
        restored = runner.invoke(paht_cli, ["restore", str(file), "--to", scratch_url])
        assert restored.exit_code == 0 and "restore verified" in restored.output, restored.output
        flip_bytes(file, 100)
        refused = runner.invoke(paht_cli, ["restore", str(file), "--to", scratch_url, "--force"])
        assert isinstance(refused.exception, BackupRefused)  # `paht` prints its message and exits 1
    finally:
        get_settings.cache_clear()
