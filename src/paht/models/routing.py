"""Dispatch help: the admin's routing rules, the trained models, and citizens' "me too"."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base, BigId


class RoutingRule(Base):
    """category × area → body, maintained by an admin. Either side may be empty (any), not both."""

    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_match", "category_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoutingModel(Base):
    """A trained classifier ('body' or 'category'), pickled by our own trainer and never downloaded."""

    __tablename__ = "routing_models"
    __table_args__ = (Index("ix_routing_models_kind", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    examples: Mapped[int]
    metrics: Mapped[dict] = mapped_column(default=dict)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    trained_at: Mapped[datetime]


class ReportSupporter(Base):
    """One citizen's or one device's "me too" on a report (counted once each)."""

    __tablename__ = "report_supporters"
    __table_args__ = (
        UniqueConstraint("report_id", "user_id", name="uq_report_supporters_user"),
        UniqueConstraint("report_id", "device_hash", name="uq_report_supporters_device"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
