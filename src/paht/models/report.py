from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base
from paht.models.ids import new_id


class Report(Base):
    """A field report. `state` changes only through `reports.service.perform_action`.

    Personal data (reporter_*) lives in its own columns so that erasure and redaction have one place
    to look; the IOC's public versions (public_*) are kept apart from what the citizen and the officer
    wrote, which are never overwritten.
    """

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_created", "created_at", "id"),
        Index("ix_reports_state_created", "state", "created_at", "id"),
        Index("ix_reports_org_created", "current_organization_id", "created_at", "id"),
        Index("ix_reports_category_created", "category_id", "created_at", "id"),  # Open311's one service
        # The public list and the map's walk of a dense box (places.queries._dense) read it newest first.
        Index("ix_reports_published_place", "published_at", "id", "state", "lon", "lat"),
        Index("ix_reports_state_lon_lat", "state", "lon", "lat"),  # the map's box (places.queries._within)
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False)

    title: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    # Indexed by ix_reports_category_created, which begins with it.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(String(500))

    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(255))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    reporter_email: Mapped[str | None] = mapped_column(String(255))
    reporter_token_hash: Mapped[str | None] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(default=False)
    consent: Mapped[bool] = mapped_column(default=False)
    consent_notice_version: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    current_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    # No foreign key: assignments already reference reports, and a cycle would complicate migrations.
    current_assignment_id: Mapped[int | None]
    duplicate_of_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reports.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)

    result: Mapped[str | None] = mapped_column(Text)
    approved_result: Mapped[str | None] = mapped_column(Text)
    public_title: Mapped[str | None] = mapped_column(String(255))
    public_description: Mapped[str | None] = mapped_column(Text)
    public_result: Mapped[str | None] = mapped_column(Text)

    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]

    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
