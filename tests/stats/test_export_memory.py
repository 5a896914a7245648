"""Exports stream: 100,000 reports export with the same peak memory as 10,000 (measured with tracemalloc).

Reports are bulk-inserted as rows (no workflow), 10,000 received on one day and 90,000 on the next,
so one export reads a tenth of the other. The peak of Python allocations while the export runs must not
grow with the number of rows. Set PAHT_EXPORT_ROWS to measure another size.
"""

from __future__ import annotations

import os
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.models import Report
from paht.stats import exports

ROWS = int(os.environ.get("PAHT_EXPORT_ROWS", "100000"))
SMALL = ROWS // 10
DAY_ONE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Huế
IOC = Actor(user_id=None, username="measure", roles=frozenset({Role.ioc_operator}))


def bulk_reports(db, count: int) -> None:
    rows = []
    for i in range(count):
        at = DAY_ONE + (timedelta(seconds=i) if i < SMALL else timedelta(days=1, seconds=i - SMALL))
        rows.append(
            {
                "id": uuid.uuid4(),
                "code": f"PA-{i:08d}",
                "version": 1,
                "state": "published" if i % 3 else "processing",
                "channel": "app",
                "urgent": i % 7 == 0,
                "title": f"Phản ánh số {i}",
                "description": "Rác thải tập kết tràn ra lòng đường Lê Lợi, bốc mùi hôi thối nhiều ngày. " * 2,
                "address": f"{i} Lê Lợi, phường Phú Hội",
                "lat": 16.46,
                "lon": 107.59,
                "reporter_name": "Nguyễn Văn A",
                "reporter_phone": "+84905000000",
                "anonymous": False,
                "consent": True,
                "public_title": f"Phản ánh số {i}",
                "public_result": "Đã xử lý xong.",
                "created_at": at,
                "updated_at": at,
                "published_at": at + timedelta(hours=5) if i % 3 else None,
            }
        )
        if len(rows) == 5000:
            with db.write() as session:
                session.execute(insert(Report), rows)
            rows = []
    if rows:
        with db.write() as session:
            session.execute(insert(Report), rows)


def peak_of_export(db, settings, fmt: str, until: date | None) -> tuple[int, int]:
    """(peak bytes allocated while exporting, bytes of output)."""
    table = exports.reports_table(
        db,
        IOC,
        settings,
        kind=exports.CONTACTS,
        filters=exports.ReportExportFilter(created_to=until),
        lang="vi",
    )
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in exports.stream(table, fmt, "vi", settings.timezone))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_export_memory_stays_flat(db, settings):
    bulk_reports(db, ROWS)
    small_peak, small_size = peak_of_export(db, settings, "csv", DAY_ONE.date())
    full_peak, full_size = peak_of_export(db, settings, "csv", None)
    print(f"CSV: {SMALL} rows {small_size / 1e6:.1f} MB peak {small_peak / 1e6:.2f} MB; ", end="")
    print(f"{ROWS} rows {full_size / 1e6:.1f} MB peak {full_peak / 1e6:.2f} MB")
    assert full_size > 9 * small_size
    assert full_peak < 1.5 * small_peak + 2_000_000
    assert full_peak < 32_000_000

    small_peak, small_size = peak_of_export(db, settings, "xlsx", DAY_ONE.date())
    full_peak, full_size = peak_of_export(db, settings, "xlsx", None)
    print(f"XLSX: {SMALL} rows peak {small_peak / 1e6:.2f} MB; ", end="")
    print(f"{ROWS} rows {full_size / 1e6:.1f} MB peak {full_peak / 1e6:.2f} MB")
    assert full_peak < 1.5 * small_peak + 2_000_000
