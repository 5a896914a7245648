"""Reports get time-ordered ids (UUIDv7, paht.models.ids): each new report's rows go next to the previous one's in
every index keyed by report id, instead of at a random place (issue 7, W1 at 1,000,000 reports)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from paht.db import Database
from paht.models.ids import new_id
from tests.conftest import Personas
from tests.flow import Flow


def _created(report_id: uuid.UUID) -> datetime:
    """The creation time a version 7 id carries in its first 48 bits (milliseconds since 1970)."""
    return datetime.fromtimestamp((report_id.int >> 80) / 1000, UTC)


def test_new_ids_are_plain_version_7_uuids_in_increasing_order():
    ids = [new_id() for _ in range(2000)]
    assert {type(i) for i in ids} == {uuid.UUID}
    assert {i.version for i in ids} == {7}
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_submitted_reports_are_numbered_in_the_order_they_arrive(client: TestClient, personas: Personas, db: Database):
    flow = Flow(client, personas, db)
    reports = [flow.submit() for _ in range(3)]
    ids = [uuid.UUID(r["id"]) for r in reports]
    assert ids == sorted(ids)
    for report, report_id in zip(reports, ids, strict=True):
        assert report_id.version == 7
        created_at = datetime.fromisoformat(report["created_at"])
        assert abs(_created(report_id) - created_at) < timedelta(seconds=5)
