"""Malware scanning of uploads (ASVS 5.4.3, reliability-anchors row 11) and the quarantine of infected files.

With a scanner configured (`PAHT_UPLOAD_SCANNER=clamav`), every new photo is stored `pending` and a
`scan_attachment` job scans its original. clamscan loads its signatures on every run (seconds to tens of
seconds with the full database), so the scan never runs inside the upload request; the photo is not served
to anyone until the job has found it clean. An infected file is moved to `<data_dir>/quarantine/`, never
served again, and the IOC is told: an `attachment_quarantined` event on the report and a console notice.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess  # nosec B404
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.roles import Role
from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.enums import EventKind, ScanStatus
from paht.models import Attachment, Event, Report, User, UserRole
from paht.models.infra import Notification

log = logging.getLogger("paht.scan")

SCAN_JOB = "scan_attachment"
# clamscan/clamdscan print "<path>: <signature> FOUND" for each infected file.
FOUND = re.compile(r": (?P<signature>\S+) FOUND$", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    infected: bool
    finding: str | None = None


class ScannerUnavailable(RuntimeError):
    """The scan could not run (program missing, signatures unreadable, timeout): the job retries later."""


class Scanner(Protocol):
    def scan(self, path: Path) -> Verdict: ...


@dataclass(frozen=True)
class ClamAV:
    """Debian's `clamav` (clamscan) or `clamav-daemon` (clamdscan, which asks a running clamd)."""

    daemon: bool = False
    database: str | None = None
    timeout_seconds: float = 300.0

    def command(self, path: Path) -> list[str]:
        if self.daemon:
            return ["clamdscan", "--no-summary", "--stream", str(path)]  # --stream: clamd need not read our files
        database = ["--database", self.database] if self.database else []
        return ["clamscan", "--no-summary", *database, str(path)]

    def scan(self, path: Path) -> Verdict:
        argv = self.command(path)
        program = shutil.which(argv[0])
        if program is None:
            raise ScannerUnavailable(f"{argv[0]} is not installed (apt-get install clamav)")
        try:
            # Fixed argv without a shell; the path is ours (a server-made UUID name).
            done = subprocess.run(  # noqa: S603  # nosec B603
                [program, *argv[1:]], capture_output=True, text=True, timeout=self.timeout_seconds, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ScannerUnavailable(f"{argv[0]} took longer than {self.timeout_seconds:g} s") from exc
        if done.returncode == 0:
            return Verdict(infected=False)
        found = FOUND.search(done.stdout)
        if done.returncode == 1 and found:
            return Verdict(infected=True, finding=found.group("signature")[:255])
        # Exit code 2: an error (no signatures, unreadable file, clamd down). Never a verdict of "clean".
        raise ScannerUnavailable(f"{argv[0]} exited {done.returncode}: {(done.stderr or done.stdout).strip()[-500:]}")


def scanner_for(settings: Settings) -> Scanner | None:
    if settings.upload_scanner == "clamav":
        return ClamAV(settings.clamav_daemon, settings.clamav_database, settings.upload_scan_timeout_seconds)
    return None


def quarantine_folder(settings: Settings, attachment: Attachment) -> Path:
    return settings.data_dir / "quarantine" / str(attachment.report_id)


def _to_quarantine(settings: Settings, attachment: Attachment) -> None:
    """Move both files out of the served folder (idempotent: a retried job finds them moved already)."""
    folder = quarantine_folder(settings, attachment)
    folder.mkdir(parents=True, exist_ok=True)
    moved = []
    for stored in (Path(attachment.original_path), Path(attachment.public_path)):
        target = folder / stored.name
        if stored.exists():
            os.replace(stored, target)
        moved.append(str(target))
    attachment.original_path, attachment.public_path = moved


def _tell_the_ioc(session: Session, attachment: Attachment, report: Report, finding: str | None) -> None:
    now = utc_now()
    session.add(
        Event(
            report_id=report.id,
            kind=EventKind.attachment_quarantined,
            payload={"attachment_id": str(attachment.id), "finding": finding},
            created_at=now,
        )
    )
    message = (
        f"Ảnh của phản ánh {report.code} chứa mã độc ({finding}) và đã bị cách ly "
        f"(a photo of report {report.code} was quarantined: malware)."
    )
    operators = session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == Role.ioc_operator, User.active)
    )
    for user in operators:
        session.add(
            Notification(user_id=user.id, kind="quarantined", report_code=report.code, message=message, created_at=now)
        )


def record_verdict(session: Session, attachment: Attachment, verdict: Verdict, *, settings: Settings) -> None:
    attachment.scanned_at = utc_now()
    if not verdict.infected:
        attachment.scan_status = ScanStatus.clean
        return
    attachment.scan_status, attachment.scan_finding = ScanStatus.infected, verdict.finding
    _to_quarantine(settings, attachment)
    report = session.get(Report, attachment.report_id)
    assert report is not None
    _tell_the_ioc(session, attachment, report, verdict.finding)
    log.warning("attachment %s quarantined: %s", attachment.id, verdict.finding)


def _file_to_scan(settings: Settings, attachment: Attachment) -> Path:
    stored = Path(attachment.original_path)
    moved = quarantine_folder(settings, attachment) / stored.name
    return stored if stored.exists() or not moved.exists() else moved


def scan_job(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    """The `scan_attachment` job: scan outside any transaction, then record the verdict in a short one."""
    attachment_id = uuid.UUID(payload["attachment_id"])
    with db.read() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.scan_status != ScanStatus.pending:
            return
        path = _file_to_scan(settings, attachment)
    scanner = scanner_for(settings)
    if scanner is None:  # scanning was switched off after the upload: fail closed, the photo stays unserved
        raise ScannerUnavailable("PAHT_UPLOAD_SCANNER is off; pending photos wait for a scanner")
    verdict = scanner.scan(path)
    with db.write() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is not None and attachment.scan_status == ScanStatus.pending:
            record_verdict(session, attachment, verdict, settings=settings)
