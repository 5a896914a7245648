from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base
from paht.models.ids import new_id


class Attachment(Base):
    """A photo. The original is kept for staff; the public copy is re-encoded without EXIF/GPS."""

    __tablename__ = "attachments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(64))
    original_path: Mapped[str] = mapped_column(String(500))
    public_path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    # The malware scan (paht.attachments.scan): served only when not_scanned (scanning off) or clean. An infected
    # file is moved to the quarantine folder; `scan_finding` is the scanner's signature name.
    scan_status: Mapped[str] = mapped_column(String(16), default="not_scanned", server_default="not_scanned")
    scanned_at: Mapped[datetime | None]
    scan_finding: Mapped[str | None] = mapped_column(String(255))
