"""Messenger Platform: `X-Hub-Signature-256` on the raw body, `messages` webhook events, the Send API.

Payload shapes: the Messenger Platform "messages" webhook reference (object=page, entry[].messaging[]
with sender.id = the page-scoped id, message.mid, message.text, message.attachments[]).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import timedelta
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

MAX_TEXT = 2000  # the Send API's limit for a text message
STANDARD_WINDOW = timedelta(hours=24)
# Graph API error codes worth retrying: unknown/service errors, throttling.
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613}


class FacebookAdapter:
    kind: ClassVar[Channel] = Channel.facebook
    idempotent_send: ClassVar[bool] = False  # the Send API has no idempotency key
    webhook: ClassVar[bool] = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.facebook_app_secret and self.settings.facebook_page_token)

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        signature = headers.get("x-hub-signature-256")
        if not signature:
            raise SignatureError("Thiếu chữ ký X-Hub-Signature-256 (missing signature).", missing=True)
        scheme, _, received = signature.partition("=")
        secret = (self.settings.facebook_app_secret or "").encode()
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if scheme != "sha256" or not hmac.compare_digest(received.lower(), expected):
            raise SignatureError("Chữ ký X-Hub-Signature-256 không đúng (bad signature).")

    def parse(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        data = json.loads(body)
        if data.get("object") != "page":
            return []
        found = []
        for entry in data.get("entry") or []:
            for event in entry.get("messaging") or []:
                message = event.get("message")
                if isinstance(message, dict) and message.get("mid") and not message.get("is_echo"):
                    found.append(_parsed(event, message))
        return found

    def send(self, to: Recipient, reply: Reply) -> Receipt:
        body: dict[str, Any] = {"recipient": {"id": to.address}, "message": {"text": _fit(reply.body)}}
        recent = to.last_inbound_at is not None and utc_now() - to.last_inbound_at < STANDARD_WINDOW
        if recent:
            body["messaging_type"] = "RESPONSE"
        else:  # outside the 24-hour window only a tagged update may be sent
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = self.settings.facebook_update_tag
        status, answer = post_json(
            f"{self.settings.facebook_api_base.rstrip('/')}/me/messages",
            json=body,
            params={"access_token": self.settings.facebook_page_token or ""},
            timeout=self.settings.channel_http_timeout_seconds,
        )
        if status == 200 and answer.get("message_id"):
            return Receipt(str(answer["message_id"]))
        error = answer.get("error") or {}
        code = error.get("code")
        message = f"Graph API {status} code={code} subcode={error.get('error_subcode')}: {error.get('message')}"
        raise ChannelError(message, permanent=code not in TRANSIENT_CODES)


def _parsed(event: dict[str, Any], message: dict[str, Any]) -> Parsed:
    parsed = Parsed(
        external_id=str(message["mid"]),
        sender_id=str(event["sender"]["id"]),
        text=message.get("text") or None,
        sent_at=moment(event["timestamp"] / 1000) if event.get("timestamp") else None,
    )
    for attachment in message.get("attachments") or []:
        kind, payload = attachment.get("type"), attachment.get("payload") or {}
        if kind == "image" and payload.get("url") and not payload.get("sticker_id"):
            parsed.media.append(Media(url=payload["url"]))
        elif kind == "location" and payload.get("coordinates"):
            point = payload["coordinates"]
            parsed.place = Place(lat=float(point["lat"]), lon=float(point["long"]), address=attachment.get("title"))
        elif kind not in ("image", "sticker", "fallback"):
            parsed.notes.append(f"tệp {kind} không được nhận, chỉ nhận ảnh (only photos are taken)")
    return parsed


def _fit(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
