from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base


class Category(Base):
    """A field of reports (lĩnh vực) with its default handling body and its deadlines."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    default_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    urgent_by_default: Mapped[bool] = mapped_column(default=False)
    # Deadlines. Normal reports count working days; urgent reports count hours on a 24/7 calendar.
    resolve_working_days: Mapped[int] = mapped_column(default=5)
    urgent_resolve_hours: Mapped[int] = mapped_column(default=24)
    dispatch_minutes: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
