"""Retention: contact details of reports closed longer than `retention_contact_days` are anonymised by
`paht privacy retention` and by the worker's housekeeping; open reports keep them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from paht.cli import app as cli
from paht.clock import utc_now
from paht.config import get_settings
from paht.jobs.worker import housekeeping
from paht.models import Event, Report
from paht.privacy import retention
from tests.flow import Flow


@pytest.fixture
def closed_and_open(client, personas, db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    flow = Flow(client, personas, db)
    return {
        "published": flow.to_state("published")["code"],
        "rejected": flow.to_state("rejected")["code"],
        "processing": flow.to_state("processing")["code"],
    }


def _phones(db) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return dict(session.execute(select(Report.code, Report.reporter_phone)).all())


def test_only_reports_closed_long_enough_are_due(db, settings, closed_and_open):
    with db.read() as session:
        assert retention.due_reports(session, settings, utc_now() + timedelta(days=364)) == []
        due = retention.due_reports(session, settings, utc_now() + timedelta(days=366))
    assert {r.code for r in due} == {closed_and_open["published"], closed_and_open["rejected"]}


def test_the_command_anonymises_after_a_dry_run(db, settings, closed_and_open, monkeypatch):
    monkeypatch.setenv("PAHT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PAHT_RETENTION_CONTACT_DAYS", "0")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        dry = runner.invoke(cli, ["privacy", "retention", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "2 report(s) would be anonymised" in dry.output
        assert all(_phones(db).values())
        real = runner.invoke(cli, ["privacy", "retention"])
        assert real.exit_code == 0, real.output
        assert "2 report(s)" in real.output
        again = runner.invoke(cli, ["privacy", "retention"])
        assert "0 report(s)" in again.output
    finally:
        get_settings.cache_clear()
    phones = _phones(db)
    assert phones[closed_and_open["published"]] is None and phones[closed_and_open["rejected"]] is None
    assert phones[closed_and_open["processing"]] is not None
    with db.read() as session:
        assert session.scalar(select(func.count()).where(Event.kind == "contact_anonymised")) == 2


def test_the_worker_housekeeping_runs_it(db, settings, closed_and_open, monkeypatch):
    monkeypatch.setattr(retention, "_next_run", 0.0)
    housekeeping(db, settings.model_copy(update={"retention_contact_days": 0}))
    phones = _phones(db)
    assert phones[closed_and_open["published"]] is None
    assert phones[closed_and_open["processing"]] is not None
