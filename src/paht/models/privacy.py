"""Personal-data records (issue 8 item 8): the basis on which each report's contact data is held, and
the citizens' requests to see, correct or erase it, with their legal deadlines."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base


class ConsentRecord(Base):
    """Why PAHT may hold a report's personal data: the citizen's consent to a notice version, or a
    documented legal basis (a hotline call or a partner channel, see paht.privacy.consent)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    basis: Mapped[str] = mapped_column(String(32))  # "consent" | "legal_duty"
    notice_version: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))  # how it was given: "checkbox", "verbal", …
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]


class PrivacyRequest(Base):
    """A data-subject request: export, correct or erase one report's personal data.

    Decree 356/2025: answer within 2 working days, complete within 15 days. Requests made with the
    reporter's token are completed at once; written requests wait in the IOC's list until done.
    """

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "export" | "correct" | "erase"
    source: Mapped[str] = mapped_column(String(16))  # "reporter" (token) | "written" (letter to the IOC)
    status: Mapped[str] = mapped_column(String(16), index=True)  # "open" | "done"
    reference: Mapped[str | None] = mapped_column(String(100))  # the letter's number, never personal data
    received_at: Mapped[datetime]
    respond_due_at: Mapped[datetime]
    complete_due_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
