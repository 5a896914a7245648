"""Channel rows: every provider message once, every reply with its delivery state, conversations, Open311 keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base, BigId


class InboundMessage(Base):
    """One message from a provider (a Messenger `mid`, a Zalo `msg_id`, an e-mail Message-ID).

    UNIQUE(channel, external_id) makes a provider's retry or a replay land on the existing row,
    so a message can never make a second report.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_inbound_messages_status", "status", "received_at"),
        Index("ix_inbound_messages_channel_received", "channel", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    sender_id: Mapped[str | None] = mapped_column(String(320))
    # pending → processed | ignored | failed; "unparsed" for a signed body we could not read.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    payload: Mapped[dict] = mapped_column(default=dict)
    report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class OutboundMessage(Base):
    """A reply to a citizen or an e-mail to staff, with its delivery state.

    pending → sending → sent; a transient error goes back to pending with a later `next_attempt_at`;
    a permanent one (or giving up) is `failed`; a send interrupted mid-way on a channel without an
    idempotency key is `uncertain`. Failed and uncertain rows wait for an administrator.
    """

    __tablename__ = "outbound_messages"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbound_messages_status", "status", "channel"),
        Index("ix_outbound_messages_channel_sent", "channel", "sent_at"),
        Index("ix_outbound_messages_provider_id", "provider_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    reply_to_ref: Mapped[str | None] = mapped_column(String(998))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    sending_since: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Conversation(Base):
    """A citizen's chat with the city on one channel: the report it feeds and when they last wrote.

    The row is also the lock that serialises the processing of one sender's messages.
    """

    __tablename__ = "channel_conversations"
    __table_args__ = (UniqueConstraint("channel", "sender_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str] = mapped_column(String(320))
    report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reports.id"))
    # Photos and places sent before any text, waiting for the description that makes them a report.
    pending: Mapped[list] = mapped_column(default=list)
    prompted_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime]
    created_at: Mapped[datetime]


class ReportAddition(Base):
    """What the citizen added to their report later on the same channel (text, place, photos)."""

    __tablename__ = "report_additions"
    __table_args__ = (Index("ix_report_additions_report", "report_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"))
    channel: Mapped[str] = mapped_column(String(16))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    text: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    photos: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class Open311Key(Base):
    """An Open311 `api_key` for POST requests; only its SHA-256 is stored."""

    __tablename__ = "open311_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Open311Token(Base):
    """The token of one Open311 POST, resolved by GET tokens/{token} to the request it created."""

    __tablename__ = "open311_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_keys.id"))
    created_at: Mapped[datetime]
