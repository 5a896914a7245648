"""Sending replies and staff e-mails from the outbox, outside any database transaction.

Each attempt is recorded before and after the network call:

1. claim (one short transaction): pending → sending, attempts + 1, `sending_since` set;
2. send (no transaction open: a network call never holds the database's write lock);
3. record (one short transaction): sent, or back to pending with a later attempt (transient error),
   or failed (permanent error, or still failing after `channel_retry_hours`).

A worker that dies between 1 and 3 leaves the row in `sending`; its job is claimed again later. On a
channel whose provider recognises our message id (e-mail: the Message-ID), the message is sent again
safely; on the others (Messenger, Zalo) it may already have reached the citizen, so it becomes
`uncertain` and waits for an administrator instead of being sent twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.channels.base import ChannelAdapter, ChannelError, Receipt, Recipient, Reply
from paht.channels.registry import configured_adapter
from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.jobs.queue import enqueue
from paht.models import Conversation, OutboundMessage

log = logging.getLogger("paht.channels")
MAX_BACKOFF_SECONDS = 3600


def queue_message(
    session: Session,
    *,
    channel: str,
    recipient: str,
    purpose: str,
    body: str,
    dedupe_key: str,
    report_id: Any = None,
    user_id: int | None = None,
    subject: str | None = None,
    reply_to_ref: str | None = None,
) -> OutboundMessage | None:
    """Add a message to the outbox with its delivery job (same transaction); None if already queued."""
    if session.scalar(select(OutboundMessage.id).where(OutboundMessage.dedupe_key == dedupe_key)) is not None:
        return None
    now = utc_now()
    row = OutboundMessage(
        channel=channel,
        recipient=recipient,
        report_id=report_id,
        user_id=user_id,
        purpose=purpose,
        subject=subject,
        body=body,
        reply_to_ref=reply_to_ref,
        dedupe_key=dedupe_key[:255],
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    enqueue(session, "deliver_outbound", {"outbound_id": row.id})
    return row


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 30 * 2 ** max(0, attempts - 1)))


def max_attempts(settings: Settings) -> int:
    """How many attempts fit in `channel_retry_hours` of back-off (48 h: about 54)."""
    horizon, total, attempts = settings.channel_retry_hours * 3600, 0.0, 0
    while total < horizon:
        attempts += 1
        total += backoff(attempts).total_seconds()
    return max(1, attempts)


@dataclass
class Attempt:
    adapter: ChannelAdapter
    recipient: Recipient
    reply: Reply


def deliver_job(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    deliver(db, int(payload["outbound_id"]), settings)


def deliver(db: Database, outbound_id: int, settings: Settings) -> str | None:
    """One delivery attempt; returns the row's status afterwards (None when there was nothing to do)."""
    attempt = _claim(db, outbound_id, settings)
    if attempt is None:
        with db.read() as session:
            row = session.get(OutboundMessage, outbound_id)
            return row.status if row else None
    try:
        receipt = attempt.adapter.send(attempt.recipient, attempt.reply)
    except ChannelError as exc:
        return _failed(db, outbound_id, str(exc), permanent=exc.permanent, settings=settings)
    except Exception as exc:  # a bug in an adapter must not lose the message: retry like a transient error
        log.exception("channel adapter raised unexpectedly")
        return _failed(db, outbound_id, f"{type(exc).__name__}: {exc}", permanent=False, settings=settings)
    return _sent(db, outbound_id, receipt)


def _claim(db: Database, outbound_id: int, settings: Settings) -> Attempt | None:
    now = utc_now()
    with db.write() as session:
        query = select(OutboundMessage).where(OutboundMessage.id == outbound_id)
        if not db.sqlite:
            query = query.with_for_update()
        row = session.scalar(query)
        if row is None or row.status not in ("pending", "sending"):
            return None
        adapter = configured_adapter(row.channel, settings)
        if adapter is None:
            row.status, row.last_error, row.updated_at = "failed", "kênh chưa được cấu hình (not configured)", now
            return None
        if row.status == "sending" and not adapter.idempotent_send:
            row.status, row.updated_at = "uncertain", now
            row.last_error = "lần gửi trước bị gián đoạn giữa chừng; có thể đã tới người nhận (interrupted mid-send)"
            return None
        if adapter.idempotent_send and not row.provider_message_id and hasattr(adapter, "new_message_id"):
            row.provider_message_id = adapter.new_message_id(row.id)
        row.status, row.sending_since, row.updated_at = "sending", now, now
        row.attempts += 1
        return Attempt(
            adapter,
            Recipient(row.recipient, _last_inbound(session, row)),
            Reply(row.body, subject=row.subject, message_id=row.provider_message_id, in_reply_to=row.reply_to_ref),
        )


def _last_inbound(session: Session, row: OutboundMessage) -> Any:
    return session.scalar(
        select(Conversation.last_inbound_at).where(
            Conversation.channel == row.channel, Conversation.sender_id == row.recipient
        )
    )


def _sent(db: Database, outbound_id: int, receipt: Receipt) -> str:
    now = utc_now()
    with db.write() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        row.status, row.sent_at, row.sending_since, row.updated_at = "sent", now, None, now
        row.provider_message_id = receipt.provider_message_id or row.provider_message_id
        row.last_error = None
        return row.status


def _failed(db: Database, outbound_id: int, error: str, *, permanent: bool, settings: Settings) -> str:
    now = utc_now()
    with db.write() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        row.last_error, row.sending_since, row.updated_at = error[:2000], None, now
        gave_up = row.attempts >= max_attempts(settings)
        if permanent or gave_up:
            row.status = "failed"
            log.warning("outbound message %s (%s) failed for good", outbound_id, row.channel)
        else:
            row.status, row.next_attempt_at = "pending", now + backoff(row.attempts)
            enqueue(session, "deliver_outbound", {"outbound_id": row.id}, run_after=row.next_attempt_at)
        return row.status


def retry(session: Session, outbound_id: int) -> OutboundMessage | None:
    """An administrator sends a failed or uncertain message again (service: the route commits)."""
    row = session.get(OutboundMessage, outbound_id)
    if row is None:
        return None
    if row.status in ("failed", "uncertain"):
        now = utc_now()
        row.status, row.next_attempt_at, row.updated_at, row.last_error = "pending", now, now, None
        row.attempts = 0  # a fresh retry horizon
        enqueue(session, "deliver_outbound", {"outbound_id": row.id})
    return row


def dismiss(session: Session, outbound_id: int) -> OutboundMessage | None:
    """An administrator closes a failed or uncertain message without sending it (e.g. it did arrive)."""
    row = session.get(OutboundMessage, outbound_id)
    if row is not None and row.status in ("failed", "uncertain"):
        row.status, row.updated_at = "dismissed", utc_now()
    return row
