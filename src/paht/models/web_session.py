from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base


class WebSession(Base):
    """A browser sign-in. The cookie holds a random token; only its SHA-256 is stored.

    It ends at `expires_at` (the absolute timeout), after `session_idle_minutes` without a request
    (measured from `last_seen_at`), or when revoked (sign-out, password reset, account disabled).
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The CSRF token of this session's forms (synchroniser token pattern).
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    # Set while the password is checked but the second factor is not yet: "verify" (enter a code) or
    # "enrol" (set up TOTP first). Such a session signs nobody in; a new one replaces it on success.
    pending_step: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
