"""The inbox: each provider message stored once, with its processing job, in the caller's transaction.

A provider retry, a replayed webhook or a mail fetched twice hits UNIQUE(channel, external_id) and is
skipped, so it can never make a second report. The caller commits (a webhook route, the IMAP poller,
the SMTP receiver) and only then tells the provider the message is safe.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paht.channels.base import Parsed
from paht.clock import utc_now
from paht.jobs.queue import enqueue
from paht.models import InboundMessage


def _insert(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING; the new id, or None when the message was already there."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(InboundMessage).on_conflict_do_nothing(
            index_elements=["channel", "external_id"]
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(InboundMessage).on_conflict_do_nothing(index_elements=["channel", "external_id"])
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        statement = insert(InboundMessage)
    return session.execute(statement.values(**values).returning(InboundMessage.id)).scalar()


def accept(session: Session, channel: str, parsed: Parsed, *, extra: dict[str, Any] | None = None) -> int | None:
    """Store one message and enqueue its processing; None when it is a duplicate."""
    inbound_id = _insert(
        session,
        {
            "channel": channel,
            "external_id": parsed.external_id[:255],
            "sender_id": parsed.sender_id[:320] or None,
            "status": "pending",
            "payload": parsed.to_payload() | (extra or {}),
            "received_at": utc_now(),
        },
    )
    if inbound_id is not None:
        enqueue(session, "process_inbound", {"inbound_id": inbound_id})
    return inbound_id


def accept_unparsed(session: Session, channel: str, body: bytes, error: str) -> None:
    """A correctly signed body we cannot read: kept by its hash for an administrator, never retried."""
    _insert(
        session,
        {
            "channel": channel,
            "external_id": "sha256:" + hashlib.sha256(body).hexdigest(),
            "status": "unparsed",
            "payload": {"size": len(body)},
            "error": error[:2000],
            "received_at": utc_now(),
        },
    )


def known(session: Session, channel: str, external_id: str) -> bool:
    found = session.scalar(
        select(InboundMessage.id).where(InboundMessage.channel == channel, InboundMessage.external_id == external_id)
    )
    return found is not None
