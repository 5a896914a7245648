"""Administrative areas (wards and communes) and where each report lies."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base


class Area(Base):
    """A ward or commune imported from GeoJSON, linked to its People's Committee.

    The bounding box is kept in columns so that finding the area of a point reads only the few areas
    whose box holds it; the exact polygon test then runs on `geometry` (GeoJSON Polygon/MultiPolygon).
    """

    __tablename__ = "areas"
    __table_args__ = (Index("ix_areas_bbox", "min_lon", "max_lon", "min_lat", "max_lat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="ward")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    geometry: Mapped[dict]
    min_lon: Mapped[float]
    min_lat: Mapped[float]
    max_lon: Mapped[float]
    max_lat: Mapped[float]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReportPlace(Base):
    """The area a report's point falls in, set on intake (no row: no point, or outside every area)."""

    __tablename__ = "report_places"

    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    placed_at: Mapped[datetime]
