"""`paht stats rebuild` and `paht stats export` against the test's database."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from paht.cli import app
from paht.config import get_settings
from paht.stats import aggregates, bulk
from tests.stats import scenario
from tests.stats.compare import maintained
from tests.stats.world import World


@pytest.fixture
def cli_env(db, settings, monkeypatch):
    monkeypatch.setenv("PAHT_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_rebuild_and_export_from_the_command_line(db, settings, cli_env, tmp_path):
    scenario.build(World(db, settings))
    with db.read() as session:
        before = maintained(session)
    runner = CliRunner()
    result = runner.invoke(app, ["stats", "rebuild", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "rebuilt statistics from 7 report(s)" in result.output
    with db.read() as session:
        assert maintained(session) == before

    out = tmp_path / "stats.csv"
    result = runner.invoke(
        app, ["stats", "export", "stats", "-o", str(out), "--from", "2026-04-20", "--to", "2026-05-10"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][0] == "IOC" and next(r for r in rows if r[0] == "SXD")[2] == "5"

    xlsx = tmp_path / "reports.xlsx"
    result = runner.invoke(app, ["stats", "export", "reports", "--format", "xlsx", "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx).active
    assert sheet.max_row == 8 and "Điện thoại" not in [c.value for c in sheet[1]]
    with_contacts = tmp_path / "contacts.csv"
    result = runner.invoke(app, ["stats", "export", "reports", "--contacts", "-o", str(with_contacts)])
    assert result.exit_code == 0 and "+84905111222" in with_contacts.read_text(encoding="utf-8-sig")
    assert runner.invoke(app, ["stats", "export", "pictures", "-o", str(out)]).exit_code != 0


def test_a_rebuild_written_a_few_rows_per_statement_gives_the_same_tables(db, settings, monkeypatch):
    """Rows go in bounded statements (one array per column on PostgreSQL), and the sums are written whenever
    they grow large; the chunks and the flushes must add up."""
    scenario.build(World(db, settings))
    with db.read() as session:
        before = maintained(session)
    monkeypatch.setattr(aggregates, "ROWS_PER_STATEMENT", 3)
    monkeypatch.setattr(bulk, "FLUSH_ENTRIES", 1)  # written after every batch: the flushes must add up too
    with db.write() as session:
        assert bulk.rebuild(session, batch_size=4) == 7
    with db.read() as session:
        assert maintained(session) == before
