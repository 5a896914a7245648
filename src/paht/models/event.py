from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base, BigId


class Event(Base):
    """The append-only log: one row per workflow step and per audited access.

    The database itself refuses UPDATE and DELETE on this table (triggers in the first migration).
    Payloads never hold reporter contact details, so erasing personal data never needs to touch it.
    `prev_hash` and `hash` chain the rows (paht.audit.chain fills them on flush; `paht audit verify`).
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_report", "report_id", "id"),
        # Two rows can never follow the same predecessor: the chain cannot fork (issue 8 item 7).
        Index("uq_events_prev_hash", "prev_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"))
    kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    payload: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    # Nullable only so that bulk loaders (benchdata) still load; `paht audit verify` reports such rows.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
