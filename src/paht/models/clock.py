from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base


class SlaClock(Base):
    """A running or stopped deadline for one step of one report.

    The overdue sweep claims rows with `breached_at IS NULL AND stopped_at IS NULL AND due_at < now`
    and sets `breached_at` with a compare-and-swap, so each breach escalates exactly once.
    """

    __tablename__ = "sla_clocks"
    __table_args__ = (
        Index(
            "ix_sla_clocks_running_due",
            "due_at",
            sqlite_where=sa_text("stopped_at IS NULL AND breached_at IS NULL"),
            postgresql_where=sa_text("stopped_at IS NULL AND breached_at IS NULL"),
        ),
        Index("ix_sla_clocks_report", "report_id", "stopped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    stage: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
