"""What every channel adapter speaks: provider payloads in, channel-agnostic messages out, replies back.

An adapter knows one provider's formats and signatures and nothing about reports; `channels.service`
turns its messages into reports and `channels.delivery` sends its replies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from paht.config import Settings
from paht.enums import Channel


class SignatureError(Exception):
    """The request does not provably come from the provider. `missing` → 401, otherwise 403."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


class ChannelError(Exception):
    """A reply could not be delivered. `permanent`: retrying cannot help (bad token, blocked user)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Media:
    """A photo: a provider URL to download, or a file already saved (e-mail attachments)."""

    url: str | None = None
    path: str | None = None
    content_type: str | None = None
    name: str | None = None
    size: int | None = None


@dataclass
class Place:
    lat: float
    lon: float
    address: str | None = None


@dataclass
class Parsed:
    """One citizen message, whatever the channel. `external_id` is the provider's id for it."""

    external_id: str
    sender_id: str
    text: str | None = None
    media: list[Media] = field(default_factory=list)
    place: Place | None = None
    sent_at: datetime | None = None
    sender_name: str | None = None
    subject: str | None = None
    thread_refs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what we could not take (too large, not an image …)

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["sent_at"] = self.sent_at.isoformat() if self.sent_at else None
        return data

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Parsed:
        values = dict(data)
        values["media"] = [Media(**m) for m in values.get("media") or []]
        values["place"] = Place(**values["place"]) if values.get("place") else None
        values["sent_at"] = datetime.fromisoformat(values["sent_at"]) if values.get("sent_at") else None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


def moment(seconds: float) -> datetime | None:
    """A provider's timestamp in UTC, or None when it is beyond the calendar (found by tests/fuzz: datetime
    raises ValueError, OverflowError or OSError there, and the message itself is still worth keeping)."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass(frozen=True)
class Recipient:
    address: str  # a page-scoped id, a Zalo user id or an e-mail address
    last_inbound_at: datetime | None = None  # the citizen's last message (Messenger's 24-hour window)


@dataclass(frozen=True)
class Reply:
    body: str
    subject: str | None = None
    message_id: str | None = None  # our stable id (e-mail Message-ID), also the provider idempotency key
    in_reply_to: str | None = None


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str | None


class ChannelAdapter(Protocol):
    kind: ClassVar[Channel]
    # True when re-sending after an interrupted attempt cannot duplicate the message for the citizen
    # (the provider or the recipient's mail system recognises our message id).
    idempotent_send: ClassVar[bool]

    def __init__(self, settings: Settings) -> None: ...

    @property
    def configured(self) -> bool:
        """Credentials are set; otherwise the channel is switched off."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise SignatureError unless the raw body provably comes from the provider. Never parses it."""
        ...

    def parse(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        """A verified provider payload → the citizen messages in it (others, such as read receipts, dropped)."""
        ...

    def send(self, to: Recipient, reply: Reply) -> Receipt:
        """Deliver a reply or raise ChannelError(permanent=…)."""
        ...
