from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base, BigId


class Event(Base):
    """The append-only log: one row per workflow step and per audited access.

    The database itself refuses DELETE on this table, and UPDATE except the one that seals a row into
    the chain at commit (`paht.audit.append_only`).
    Payloads never hold reporter contact details, so erasing personal data never needs to touch it.
    `chain_seq`, `prev_hash` and `hash` chain the rows (paht.audit.chain fills them at commit; `paht audit
    verify` walks them).
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_report", "report_id", "id"),
        # Two rows can never follow the same predecessor: the chain cannot fork (issue 8 item 7).
        Index("uq_events_prev_hash", "prev_hash", unique=True),
        # Chain order; NULL until the row's transaction commits (and for rows loaded behind the app's back).
        Index(
            "uq_events_chain_seq",
            "chain_seq",
            unique=True,
            sqlite_where=text("chain_seq IS NOT NULL"),
            postgresql_where=text("chain_seq IS NOT NULL"),
        ),
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
    chain_seq: Mapped[int | None] = mapped_column(BigId)
