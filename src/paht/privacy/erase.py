"""Erasing a report's personal data (a citizen's request) or its contact details (retention).

The report, its timeline and its published result stay: events never held personal data, and the
public texts are the IOC's edited versions. Contact details go; the citizen's own free text is
replaced by the IOC's public text (or a marker), exact places are coarsened to the public precision,
and copies in channel messages, original photos and the search index follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from paht.config import Settings
from paht.enums import AttachmentKind
from paht.models import Attachment, Conversation, InboundMessage, OutboundMessage, Report, ReportAddition
from paht.privacy.consent import withdraw
from paht.search.index import sync_report

ERASED = "[Đã xoá dữ liệu cá nhân (personal data erased)]"
CONTACT_FIELDS = ("reporter_name", "reporter_phone", "reporter_email", "reporter_user_id")


@dataclass
class Erasure:
    """What was removed, by field name (never the values): the audit event's payload."""

    fields: list[str] = field(default_factory=list)
    messages: int = 0
    photos: int = 0

    def payload(self) -> dict:
        return {"fields": self.fields, "messages": self.messages, "photos": self.photos}


def _set(report: Report, name: str, value: object, erasure: Erasure) -> None:
    if getattr(report, name) != value:
        setattr(report, name, value)
        erasure.fields.append(name)


def erase_contact(session: Session, report: Report) -> Erasure:
    """Retention's anonymisation: who reported, and the chat and e-mail addresses they wrote from."""
    erasure = Erasure()
    for name in CONTACT_FIELDS:
        _set(report, name, None, erasure)
    erasure.messages = _forget_messages(session, report)
    return erasure


def erase_personal_data(session: Session, report: Report, *, settings: Settings, now: datetime) -> Erasure:
    """A citizen's erasure request: contact details and the personal content of the report."""
    erasure = erase_contact(session, report)
    _set(report, "title", report.public_title, erasure)
    _set(report, "description", report.public_description or ERASED, erasure)
    _set(report, "address", None, erasure)
    _set(report, "rating_comment", None, erasure)
    digits = settings.public_location_decimals
    for name in ("lat", "lon"):
        value = getattr(report, name)
        _set(report, name, round(value, digits) if value is not None else None, erasure)
    for addition in session.scalars(select(ReportAddition).where(ReportAddition.report_id == report.id)):
        addition.text, addition.lat, addition.lon = None, None, None
    erasure.photos = _drop_originals(session, report)
    withdraw(session, report, now=now)
    sync_report(session, report)  # the staff search index holds the old texts
    return erasure


def _forget_messages(session: Session, report: Report) -> int:
    count = 0
    for message in session.scalars(select(InboundMessage).where(InboundMessage.report_id == report.id)):
        if message.sender_id is not None or message.payload:
            message.sender_id, message.payload = None, {}
            count += 1
    for message in session.scalars(select(OutboundMessage).where(OutboundMessage.report_id == report.id)):
        if message.recipient != ERASED:
            if message.status in ("pending", "sending"):
                message.status, message.last_error = "failed", "dữ liệu cá nhân đã xoá (personal data erased)"
            message.recipient, message.body = ERASED, ERASED
            count += 1
    session.execute(delete(Conversation).where(Conversation.report_id == report.id))
    return count


def _drop_originals(session: Session, report: Report) -> int:
    """Originals keep the camera's metadata (owner, home GPS); the re-encoded copy replaces them."""
    dropped = 0
    query = select(Attachment).where(Attachment.report_id == report.id, Attachment.kind == AttachmentKind.report)
    for photo in session.scalars(query):
        if photo.original_path != photo.public_path:
            Path(photo.original_path).unlink(missing_ok=True)
            photo.original_path = photo.public_path
            dropped += 1
    return dropped
