"""Reliability-anchors row 11: the malware-scan hook with Debian's ClamAV and a local signature for EICAR.

freshclam cannot download signatures here, so clamscan gets a custom database (`-d custom.ndb`) whose one
signature matches the EICAR test string. CI installs clamav (.ci/run): these tests fail, never skip, without it.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from paht.attachments.scan import ClamAV, ScannerUnavailable
from paht.enums import EventKind, ScanStatus
from paht.jobs.worker import run_pending
from paht.models import Attachment, Event, Job
from paht.models.infra import Notification
from tests.flow import Flow
from tests.uploads import corpus
from tests.uploads.test_corpus import assert_public_copy_is_clean, upload


@pytest.fixture
def eicar_database(tmp_path: Path) -> Path:
    assert shutil.which("clamscan"), "clamscan is missing: apt-get install clamav (.ci/run installs it)"
    database = tmp_path / "custom.ndb"
    database.write_text(f"PAHT.Test.EICAR:0:*:{corpus.EICAR.hex()}\n")
    return database


@pytest.fixture
def scanning(settings, eicar_database):  # type: ignore[no-untyped-def]
    settings.upload_scanner, settings.clamav_database = "clamav", str(eicar_database)
    return settings


@pytest.fixture
def flow(client, personas, db) -> Flow:
    return Flow(client, personas, db)


def _attachment(db, photo_id: str) -> Attachment:
    with db.read() as session:
        found = session.get(Attachment, uuid.UUID(photo_id))
        assert found is not None
        session.expunge(found)
        return found


def test_clamscan_finds_the_eicar_signature_and_passes_a_clean_file(eicar_database, tmp_path):
    scanner = ClamAV(database=str(eicar_database))
    infected, clean = tmp_path / "a.orig", tmp_path / "b.orig"
    infected.write_bytes(corpus.photo("JPEG") + corpus.EICAR)
    clean.write_bytes(corpus.photo("JPEG"))
    found = scanner.scan(infected)
    assert found.infected and found.finding == "PAHT.Test.EICAR.UNOFFICIAL"
    assert not scanner.scan(clean).infected


def test_a_scan_that_cannot_run_is_never_a_clean_verdict(tmp_path):
    photo = tmp_path / "c.orig"
    photo.write_bytes(corpus.photo("JPEG"))
    with pytest.raises(ScannerUnavailable):
        ClamAV(database=str(tmp_path / "no-such-signatures.ndb")).scan(photo)


def test_an_infected_photo_is_quarantined_and_the_ioc_told(client, personas, db, scanning, flow):
    report = flow.submit()
    infected = corpus.photo("JPEG") + corpus.EICAR  # a valid JPEG carrying the test virus after its end
    clean = corpus.photo("PNG")
    bad = upload(client, report, infected)
    good = upload(client, report, clean, filename="ok.png")
    assert (bad.status_code, good.status_code) == (201, 201)
    assert bad.json()["scan_status"] == good.json()["scan_status"] == "pending"
    base = f"/api/v1/reports/{report['id']}/attachments"
    pending = client.get(f"{base}/{good.json()['id']}", headers=personas["ioc_operator"])
    assert pending.status_code == 404  # nobody sees a photo before it is scanned clean
    assert "đang được kiểm tra" in pending.json()["detail"]

    assert run_pending(db, scanning) >= 2  # the two scans (and the submission's own jobs)
    bad_row, good_row = _attachment(db, bad.json()["id"]), _attachment(db, good.json()["id"])
    assert (bad_row.scan_status, bad_row.scan_finding) == (ScanStatus.infected, "PAHT.Test.EICAR.UNOFFICIAL")
    assert good_row.scan_status == ScanStatus.clean and good_row.scanned_at is not None

    # Stored apart: out of the attachments folder, into quarantine/.
    quarantine = scanning.data_dir / "quarantine" / report["id"]
    assert {Path(bad_row.original_path).parent, Path(bad_row.public_path).parent} == {quarantine}
    assert Path(bad_row.original_path).read_bytes() == infected
    assert not (scanning.data_dir / "attachments" / report["id"] / f"{bad_row.id}.orig").exists()

    # Never served: not to the IOC, not to the body, not to the public once published.
    for persona in ("ioc_operator", "ioc_editor"):
        for params in ({}, {"original": "true"}):
            refused = client.get(f"{base}/{bad_row.id}", params=params, headers=personas[persona])
            assert refused.status_code == 404
            assert "cách ly" in refused.json()["detail"]
    served = client.get(f"{base}/{good_row.id}", headers=personas["ioc_operator"])
    assert served.status_code == 200
    assert_public_copy_is_clean(served.content)
    listed = {p["id"]: p["scan_status"] for p in client.get(base, headers=personas["ioc_operator"]).json()}
    assert listed == {str(bad_row.id): "infected", str(good_row.id): "clean"}

    published = _publish(flow, report)
    public = client.get(f"/api/v1/public/reports/{published['code']}").json()
    assert [p["id"] for p in public["photos"]] == [str(good_row.id)]
    assert client.get(f"/api/v1/public/attachments/{bad_row.id}").status_code == 404
    assert client.get(f"/api/v1/public/attachments/{good_row.id}").status_code == 200

    # Flagged for the IOC: an event in the report's audited timeline and a console notice per operator.
    with db.read() as session:
        events = session.scalars(
            select(Event).where(
                Event.report_id == uuid.UUID(report["id"]), Event.kind == EventKind.attachment_quarantined
            )
        ).all()
        notices = session.scalars(select(Notification).where(Notification.kind == "quarantined")).all()
    assert [e.payload for e in events] == [{"attachment_id": str(bad_row.id), "finding": "PAHT.Test.EICAR.UNOFFICIAL"}]
    assert notices and all(report["code"] in n.message and "cách ly" in n.message for n in notices)


def _publish(flow: Flow, report: dict) -> dict:
    steps = [
        ("ioc_operator", "dispatch", {"organization_id": flow.orgs["SXD"]}),
        ("handler_a", "acknowledge", {}),
        ("handler_a", "submit_result", {"result": "Đã xử lý xong."}),
        ("leader_a", "approve", {}),
        ("ioc_editor", "publish", {}),
    ]
    for persona, action, payload in steps:
        report = flow.act(report, persona, action, **payload)
    return report


def test_a_scanner_that_fails_keeps_the_photo_unserved_and_retries(client, personas, db, scanning, flow, tmp_path):
    report = flow.submit()
    photo_id = upload(client, report, corpus.photo("JPEG")).json()["id"]
    scanning.clamav_database = str(tmp_path / "missing.ndb")
    run_pending(db, scanning)
    assert _attachment(db, photo_id).scan_status == ScanStatus.pending  # fail closed
    with db.read() as session:
        job = session.scalars(select(Job).where(Job.kind == "scan_attachment")).one()
        assert (job.status, "ScannerUnavailable" in (job.last_error or "")) == ("pending", True)
    url = f"/api/v1/reports/{report['id']}/attachments/{photo_id}"
    assert client.get(url, headers=personas["ioc_operator"]).status_code == 404


def test_without_a_scanner_photos_are_served_at_once(client, personas, flow, settings):
    assert settings.upload_scanner == "off"
    report = flow.submit()
    response = upload(client, report, corpus.photo("JPEG"))
    assert response.json()["scan_status"] == "not_scanned"
    url = f"/api/v1/reports/{report['id']}/attachments/{response.json()['id']}"
    assert client.get(url, headers=personas["ioc_operator"]).status_code == 200
