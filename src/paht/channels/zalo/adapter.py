"""Zalo Official Account: `X-ZEvent-Signature`, the user_send_* webhook events, the OA message API (v3).

The signature is `mac=` + hex SHA-256 of app_id + raw body + timestamp + OA secret key — a plain hash of
the concatenation, not an HMAC. The timestamp (milliseconds) travels inside the body, so it is read from
the raw bytes with a pattern, never by parsing the JSON, before the signature is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from paht.channels.base import (
    ChannelError,
    Media,
    Parsed,
    Place,
    Receipt,
    Recipient,
    Reply,
    SignatureError,
    moment,
)
from paht.channels.http import post_json
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import Channel

MAX_TEXT = 2000
MESSAGE_EVENTS = {"user_send_text", "user_send_image", "user_send_location", "user_send_file", "user_send_sticker"}
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,16})"?')
# OA API error codes worth retrying (rate limits and the API's own temporary failures).
TRANSIENT_CODES = {-32, -50, -124}


class ZaloAdapter:
    kind: ClassVar[Channel] = Channel.zalo
    idempotent_send: ClassVar[bool] = False  # the OA message API has no idempotency key
    webhook: ClassVar[bool] = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        s = self.settings
        return bool(s.zalo_app_id and s.zalo_oa_secret_key and s.zalo_access_token)

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        signature = headers.get("x-zevent-signature")
        if not signature:
            raise SignatureError("Thiếu chữ ký X-ZEvent-Signature (missing signature).", missing=True)
        stamps = _TIMESTAMP.findall(body)
        if len(stamps) != 1:
            raise SignatureError("Sự kiện Zalo không có đúng một timestamp (no timestamp to sign).")
        stamp = stamps[0]
        s = self.settings
        digest = hashlib.sha256(
            (s.zalo_app_id or "").encode() + body + stamp + (s.zalo_oa_secret_key or "").encode()
        ).hexdigest()
        received = signature.strip().removeprefix("mac=").lower()
        if not hmac.compare_digest(received, digest):
            raise SignatureError("Chữ ký X-ZEvent-Signature không đúng (bad signature).")
        skew = abs(utc_now().timestamp() - _seconds(int(stamp)))
        if skew > s.zalo_max_skew_seconds:
            raise SignatureError(f"Sự kiện Zalo quá cũ hoặc sai giờ ({int(skew)} s; stale timestamp).")

    def parse(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        event = json.loads(body)
        if str(event.get("app_id")) != str(self.settings.zalo_app_id) or event.get("event_name") not in MESSAGE_EVENTS:
            return []
        message = event.get("message") or {}
        if not message.get("msg_id"):
            return []
        stamp = event.get("timestamp")
        parsed = Parsed(
            external_id=str(message["msg_id"]),
            sender_id=str(event["sender"]["id"]),
            text=message.get("text") or None,
            sent_at=moment(_seconds(int(stamp))) if stamp else None,
        )
        for attachment in message.get("attachments") or []:
            _take(parsed, attachment.get("type"), attachment.get("payload") or {})
        return [parsed]

    def send(self, to: Recipient, reply: Reply) -> Receipt:
        text = reply.body if len(reply.body) <= MAX_TEXT else reply.body[: MAX_TEXT - 1] + "…"
        status, answer = post_json(
            f"{self.settings.zalo_api_base.rstrip('/')}/v3.0/oa/message/cs",
            json={"recipient": {"user_id": to.address}, "message": {"text": text}},
            headers={"access_token": self.settings.zalo_access_token or ""},
            timeout=self.settings.channel_http_timeout_seconds,
        )
        code = answer.get("error")
        if status == 200 and code == 0:
            return Receipt(str((answer.get("data") or {}).get("message_id") or "") or None)
        raise ChannelError(
            f"Zalo OA {status} error={code}: {answer.get('message')}", permanent=code not in TRANSIENT_CODES
        )


def _seconds(stamp: int) -> float:
    """Zalo stamps events in milliseconds; accept seconds too."""
    return stamp / 1000 if stamp > 10**11 else float(stamp)


def _take(parsed: Parsed, kind: str | None, payload: dict[str, Any]) -> None:
    if kind == "image" and payload.get("url"):
        parsed.media.append(Media(url=payload["url"]))
    elif kind == "location" and payload.get("coordinates"):
        point = payload["coordinates"]
        parsed.place = Place(lat=float(point["latitude"]), lon=float(point["longitude"]))
    elif kind not in ("image", "location", "sticker"):
        parsed.notes.append(f"tệp {kind} không được nhận, chỉ nhận ảnh (only photos are taken)")
