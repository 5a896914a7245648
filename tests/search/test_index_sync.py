"""The index follows each report change in the same transaction, and is rebuilt by the migration."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, select, text

from paht.auth.actor import ANONYMOUS
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from paht.migrate import upgrade
from paht.models import ReportSearch
from tests.factories import new_report_body
from tests.flow import Flow


def test_the_row_changes_with_the_report(client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("approved")
    with db.read() as session:
        row = session.scalar(select(ReportSearch).where(ReportSearch.report_id == uuid.UUID(report["id"])))
        assert "den duong hong" in row.staff_folded
        assert "da thay bong den moi" in row.staff_folded  # the officer's result
        assert row.public_folded == ""
    flow.act(report, "ioc_editor", "publish", title="Đã sửa đèn đường Lê Lợi")
    with db.read() as session:
        row = session.scalar(select(ReportSearch).where(ReportSearch.report_id == uuid.UUID(report["id"])))
        assert row.public_raw.startswith("đã sửa đèn đường lê lợi")


def test_a_rolled_back_report_leaves_no_trace_in_the_index(db, settings):
    with db.writer() as session:
        report, _ = submit_report(
            session,
            ReportCreate.model_validate(new_report_body(title="Cầu Trường Tiền")),
            actor=ANONYMOUS,
            settings=settings,
        )
        session.flush()
        assert session.scalar(select(ReportSearch.id).where(ReportSearch.report_id == report.id)) is not None
        session.rollback()
    with db.read() as session:
        assert session.scalar(select(ReportSearch.id)) is None
        if db.sqlite:
            hits = session.execute(text("SELECT count(*) FROM report_search_fts WHERE report_search_fts MATCH 'tien'"))
            assert hits.scalar() == 0


def test_the_migration_indexes_reports_that_existed_before_it_on_sqlite(tmp_path):
    """Upgrade to 0001, add a report by hand, then upgrade to every head: the report is searchable."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO reports (id, code, version, state, channel, urgent, description, anonymous, consent, "
                "created_at, updated_at) VALUES ('0123456789abcdef0123456789abcdef', 'PA-00000001', 1, 'received', "
                "'web', 0, 'Đường Nguyễn Huệ bị ngập', 0, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT r.code FROM reports r JOIN report_search s ON s.report_id = r.id WHERE s.id IN "
                "(SELECT rowid FROM report_search_fts WHERE report_search_fts MATCH :m)"
            ),
            {"m": 'staff_folded : ("duong" + "nguyen" + "hue")'},
        ).scalars()
        assert list(found) == ["PA-00000001"]
    engine.dispose()
