"""Small vocabularies shared by models, services and the API, stored as plain strings."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    ioc = "ioc"
    department = "department"
    district = "district"
    commune = "commune"
    central_agency = "central_agency"
    enterprise = "enterprise"


class Channel(StrEnum):
    app = "app"
    web = "web"
    hotline = "hotline"
    facebook = "facebook"
    zalo = "zalo"
    email = "email"
    open311 = "open311"


class EventKind(StrEnum):
    created = "created"
    transition = "transition"
    sla_breached = "sla_breached"
    contact_viewed = "contact_viewed"
    attachment_added = "attachment_added"
    attachment_quarantined = "attachment_quarantined"  # the malware scan found something (issue 8 item 6)
    rated = "rated"


class ClockStage(StrEnum):
    dispatch = "dispatch"
    acknowledge = "acknowledge"
    resolve = "resolve"
    approve = "approve"
    publish = "publish"


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


class AttachmentKind(StrEnum):
    report = "report"
    result = "result"


class ScanStatus(StrEnum):
    """A photo's malware scan (issue 8 item 6). Only `not_scanned` (scanning off) and `clean` are ever served."""

    not_scanned = "not_scanned"
    pending = "pending"
    clean = "clean"
    infected = "infected"


SERVABLE_SCANS = (ScanStatus.not_scanned, ScanStatus.clean)
