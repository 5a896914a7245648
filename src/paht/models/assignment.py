from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base


class Assignment(Base):
    """One dispatch of a report to a body, with every step's due and actual time.

    A report returned and re-dispatched has two rows, so each body's figures are exact.
    The `*_on_time` flags are None while a step is pending, False as soon as its clock breaches.
    """

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_org_report", "organization_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    dispatched_at: Mapped[datetime]
    ack_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ack_on_time: Mapped[bool | None]

    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(Text)
    suggested_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    resolve_due_at: Mapped[datetime | None]
    result_submitted_at: Mapped[datetime | None]
    result_submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolve_on_time: Mapped[bool | None]
    send_backs: Mapped[int] = mapped_column(default=0)

    approve_due_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approve_on_time: Mapped[bool | None]

    publish_due_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    publish_on_time: Mapped[bool | None]

    ended_at: Mapped[datetime | None]
