"""Channel health for administrators: last message in and out per channel, failures, the outbox queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paht.channels.registry import configured_adapter
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import Channel, JobStatus
from paht.models import InboundMessage, Job, Open311Key, OutboundMessage, Report

CHANNELS = (Channel.facebook, Channel.zalo, Channel.email, Channel.open311)
ATTENTION = ("failed", "uncertain")


class Failure(BaseModel):
    id: int
    channel: str
    purpose: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    report_id: Any
    updated_at: datetime


class ChannelHealth(BaseModel):
    channel: str
    configured: bool
    last_inbound_at: datetime | None
    last_outbound_at: datetime | None
    inbound: dict[str, int]
    outbound: dict[str, int]


class Queue(BaseModel):
    outbound_pending: int
    oldest_pending_at: datetime | None
    jobs_pending: dict[str, int]
    jobs_failed: dict[str, int]


class Health(BaseModel):
    checked_at: datetime
    channels: list[ChannelHealth]
    failures: list[Failure]
    queue: Queue
    mailbox_polling: bool


def masked(address: str) -> str:
    """Enough of an address to recognise it, not enough to copy it."""
    name, at, domain = address.partition("@")
    head = name[:2] + "…" if len(name) > 2 else name
    return f"{head}{at}{domain}" if at else (address[:4] + "…" if len(address) > 4 else address)


def _counts(session: Session, column: Any, channel_column: Any, channel: str) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(channel_column == channel).group_by(column))
    return {status: count for status, count in rows}


def _configured(session: Session, channel: Channel, settings: Settings) -> bool:
    if channel == Channel.open311:
        return session.scalar(select(func.count()).select_from(Open311Key).where(Open311Key.revoked_at.is_(None))) > 0
    return configured_adapter(channel, settings) is not None


def channel_health(session: Session, settings: Settings) -> Health:
    channels = []
    for channel in CHANNELS:
        last_in = (
            session.scalar(select(func.max(Report.created_at)).where(Report.channel == channel))
            if channel == Channel.open311
            else session.scalar(select(func.max(InboundMessage.received_at)).where(InboundMessage.channel == channel))
        )
        channels.append(
            ChannelHealth(
                channel=channel,
                configured=_configured(session, channel, settings),
                last_inbound_at=last_in,
                last_outbound_at=session.scalar(
                    select(func.max(OutboundMessage.sent_at)).where(OutboundMessage.channel == channel)
                ),
                inbound=_counts(session, InboundMessage.status, InboundMessage.channel, channel),
                outbound=_counts(session, OutboundMessage.status, OutboundMessage.channel, channel),
            )
        )
    return Health(
        checked_at=utc_now(),
        channels=channels,
        failures=[failure(row) for row in attention(session, limit=20)],
        queue=_queue(session),
        mailbox_polling=bool(settings.imap_host),
    )


def attention(session: Session, *, status: str | None = None, limit: int = 50) -> list[OutboundMessage]:
    statuses = [status] if status else list(ATTENTION)
    query = select(OutboundMessage).where(OutboundMessage.status.in_(statuses))
    return list(session.scalars(query.order_by(OutboundMessage.updated_at.desc()).limit(limit)))


def failure(row: OutboundMessage) -> Failure:
    return Failure(
        id=row.id,
        channel=row.channel,
        purpose=row.purpose,
        recipient=masked(row.recipient),
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        report_id=row.report_id,
        updated_at=row.updated_at,
    )


def _queue(session: Session) -> Queue:
    pending = session.execute(
        select(func.count(), func.min(OutboundMessage.created_at)).where(OutboundMessage.status == "pending")
    ).one()
    jobs = session.execute(
        select(Job.kind, Job.status, func.count())
        .where(Job.status.in_([JobStatus.pending, JobStatus.failed]))
        .group_by(Job.kind, Job.status)
    )
    by_status: dict[str, dict[str, int]] = {JobStatus.pending: {}, JobStatus.failed: {}}
    for kind, status, count in jobs:
        by_status[status][kind] = count
    return Queue(
        outbound_pending=pending[0],
        oldest_pending_at=pending[1],
        jobs_pending=by_status[JobStatus.pending],
        jobs_failed=by_status[JobStatus.failed],
    )
