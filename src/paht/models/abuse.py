"""Abuse limits: rate-limit counters shared by every worker process, and the IOC's abuse list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base, BigId


class RateLimit(Base):
    """One counter per (scope, key): `hits` counted since `window_start`.

    The key is a SHA-256 of what is counted (an address, an account, a device), so the table holds no
    personal data. Rows are upserted with INSERT … ON CONFLICT, which is atomic on SQLite and PostgreSQL.
    """

    __tablename__ = "rate_limits"
    __table_args__ = (Index("ix_rate_limits_last_hit_at", "last_hit_at"),)  # the purge of idle counters

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime]
    hits: Mapped[int]
    last_hit_at: Mapped[datetime]


class AbuseEntry(Base):
    """A phone, e-mail, Facebook PSID or Zalo user id whose reports the IOC reviews before dispatch.

    Removing an entry keeps the row (who removed it, when, why): the list is its own audit trail.
    """

    __tablename__ = "abuse_entries"
    __table_args__ = (
        Index(
            "ix_abuse_entries_active",
            "kind",
            "value",
            unique=True,
            sqlite_where=sa_text("removed_at IS NULL"),
            postgresql_where=sa_text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None]
    removal_reason: Mapped[str | None] = mapped_column(Text)
