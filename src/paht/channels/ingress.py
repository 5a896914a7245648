"""Provider webhooks: verify the signature on the raw body first, store each message once, answer 200 fast.

Nothing is parsed before the signature checks out. Processing (photos, the report, the reply) happens
later in a job, so the provider gets its answer in milliseconds and a crash after the commit loses
nothing: the stored message and its job are already in the database.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from paht.channels import inbox
from paht.channels.base import ChannelAdapter, Parsed, SignatureError
from paht.channels.registry import configured_adapter
from paht.config import Settings
from paht.db import Database
from paht.enums import Channel
from paht.responses import errors

router = APIRouter(prefix="/channels", tags=["channels"], responses=errors(401, 403, 404, 413))
log = logging.getLogger("paht.channels")
MAX_WEBHOOK_BYTES = 1024 * 1024  # provider events are a few kilobytes; photos travel as URLs
WEBHOOKS = (Channel.facebook, Channel.zalo)
# What an adapter's parse() may raise on a signed body it cannot read: the body is kept as "unparsed".
# OverflowError: numbers beyond what datetime or float take; RecursionError: JSON nested too deep.
UNPARSEABLE = (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError)


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": message, "code": code}, status_code=status)


def _adapter(kind: str, settings: Settings) -> ChannelAdapter | None:
    if kind not in {c.value for c in WEBHOOKS}:
        return None
    return configured_adapter(kind, settings)


@router.get("/facebook/webhook", response_class=PlainTextResponse)
def facebook_handshake(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> Response:
    """Meta's subscription check: echo `hub.challenge` when `hub.verify_token` is ours."""
    settings: Settings = request.app.state.settings
    expected = settings.facebook_verify_token
    if not expected or _adapter(Channel.facebook, settings) is None:
        return _refuse(404, "not_configured", "Kênh Facebook chưa được cấu hình (channel not configured).")
    if mode != "subscribe" or not hmac.compare_digest((token or "").encode(), expected.encode()):
        return _refuse(403, "bad_verify_token", "Sai mã xác minh (hub.verify_token does not match).")
    return PlainTextResponse(challenge or "")


@router.post("/{kind}/webhook")
async def webhook(kind: str, request: Request) -> Response:
    """A provider event (Messenger or Zalo OA). 401 unsigned, 403 badly signed, 200 once stored."""
    settings: Settings = request.app.state.settings
    adapter = _adapter(kind, settings)
    if adapter is None:
        return _refuse(404, "not_configured", f"Kênh «{kind}» không nhận webhook hoặc chưa được cấu hình.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        return _refuse(413, "payload_too_large", "Sự kiện quá lớn (event too large).")
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        return _refuse(413, "payload_too_large", "Sự kiện quá lớn (event too large).")
    try:
        adapter.verify(request.headers, body)
    except SignatureError as exc:
        log.warning("%s webhook refused: %s", kind, exc)
        return _refuse(401 if exc.missing else 403, "invalid_signature", str(exc))
    try:
        messages: list[Parsed] | None = adapter.parse(request.headers, body)
        error = None
    except UNPARSEABLE as exc:  # signed, but not a shape we know
        messages, error = None, f"{type(exc).__name__}: {exc}"
    accepted = await run_in_threadpool(_store, request.app.state.db, kind, body, messages, error)
    return JSONResponse({"status": "ok", "accepted": accepted})


def _store(db: Database, kind: str, body: bytes, messages: list[Parsed] | None, error: str | None) -> int:
    with db.write() as session:
        if messages is None:
            inbox.accept_unparsed(session, kind, body, error or "unparsed")
            return 0
        return sum(inbox.accept(session, kind, message) is not None for message in messages)
