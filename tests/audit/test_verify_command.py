"""`paht audit verify` as operators run it, and migration 0009 chaining the rows that were already there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner, Result

from paht.audit.chain import verify_chain
from paht.cli import app as cli
from paht.config import get_settings
from paht.db import Database
from paht.migrate import upgrade
from paht.models import Event
from tests.audit.tamper import behind_the_apps_back
from tests.conftest import BACKENDS, _pg_admin, _pg_url
from tests.flow import Flow


def _verify(url: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    """`paht audit verify` in-process (the same Typer app the console script runs)."""
    monkeypatch.setenv("PAHT_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["audit", "verify"], env={"COLUMNS": "200"})
    finally:
        get_settings.cache_clear()


def test_verify_says_ok_then_names_the_tampered_row(client, personas, db, database_url, monkeypatch):
    Flow(client, personas, db).to_state("published")
    with db.read() as session:
        ids = list(session.scalars(select(Event.id).order_by(Event.id)))
    ok = _verify(database_url, monkeypatch)
    assert ok.exit_code == 0, ok.output
    assert f"OK, {len(ids)} events" in ok.output
    behind_the_apps_back(db, "UPDATE events SET to_state = 'published' WHERE id = :id", id=ids[1])
    broken = _verify(database_url, monkeypatch)
    assert broken.exit_code == 1
    assert f"event {ids[1]}" in broken.output
    assert "content differs" in broken.output


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for running the migrations from the start."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"paht_audit_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_migration_chains_the_rows_already_there(empty_url):
    upgrade(empty_url, "0008")
    engine = create_engine(empty_url)
    report_id, now = uuid.uuid4(), datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO reports (id, code, version, state, channel, urgent, description, anonymous, consent,"
                " created_at, updated_at) VALUES (:id, 'PA-MIGRATE1', 1, 'received', 'web', false, 'x', false,"
                " true, :now, :now)"
            ),
            {"id": report_id.hex if engine.dialect.name == "sqlite" else report_id, "now": now},
        )
        for kind in ("created", "contact_viewed", "contact_viewed"):
            connection.execute(
                text("INSERT INTO events (report_id, kind, payload, created_at) VALUES (:r, :k, :p, :now)"),
                {
                    "r": report_id.hex if engine.dialect.name == "sqlite" else report_id,
                    "k": kind,
                    "p": '{"purpose": "vi: xem liên hệ"}',
                    "now": now,
                },
            )
    engine.dispose()
    upgrade(empty_url)
    db = Database(empty_url)
    try:
        with db.read() as session:
            result = verify_chain(session)
        assert (result.ok, result.checked) == (True, 3), result
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text("DELETE FROM events"))
    finally:
        db.dispose()
