"""One ASGI middleware around the whole app: a request id, the security headers, cookie flags, and a
generic answer for any unhandled exception.

It sits outside every route, mount and exception handler, so static files, error responses and CORS
preflights get the same headers. An exception nothing handled is logged once, with its traceback and the
request id, and the client gets only the id: never a stack trace.
"""

from __future__ import annotations

import logging
import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paht.config import Settings
from paht.security import headers as security_headers
from paht.security.pages import server_error

log = logging.getLogger("paht.errors")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's (or proxy's) id is kept when it is short and plain; anything else could forge log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
SECURE_FLAG = re.compile(rb";\s*secure\s*(;|$)")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return os.urandom(16).hex()  # 128 random bits as uuid4().hex gives, at a fifth of its cost (2 µs)


def harden_cookie(value: bytes, *, secure: bool) -> bytes:
    """Every cookie HttpOnly and SameSite (Lax unless a route chose), and Secure in production."""
    lowered = value.lower()
    if b"httponly" not in lowered:
        value += b"; HttpOnly"
    if b"samesite=" not in lowered:
        value += b"; SameSite=lax"
    if secure and not SECURE_FLAG.search(lowered):
        value += b"; Secure"
    return value


class HardeningMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, *, docs_enabled: bool) -> None:
        self.app = app
        self.headers = security_headers.HeaderSet(security_headers.security_headers(settings), owned=(b"x-request-id",))
        self.csp = security_headers.content_security_policy(settings).encode()
        self.production = settings.environment == "production"
        self.docs_enabled = docs_enabled

    def _harden_cookie(self, value: bytes) -> bytes:
        return harden_cookie(value, secure=self.production)

    def _csp_for(self, path: str) -> bytes:
        if self.docs_enabled and path.startswith(security_headers.DOCS_PATHS):
            return security_headers.DOCS_CSP.encode()
        return self.csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        csp = self._csp_for(scope["path"])
        started = False

        async def send_hardened(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = self.headers.applied(message.get("headers", []), csp=csp, cookie=self._harden_cookie)
                raw.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": raw}
            await send(message)

        try:
            await self.app(scope, receive, send_hardened)
        except Exception:
            # The query string is left out: it can carry a tracking code or a search for a person's name.
            log.exception("unhandled error request_id=%s %s %s", request_id, scope.get("method"), scope["path"])
            if started:  # the status line is already on the wire; the server closes the connection
                raise
            await server_error(scope, request_id)(scope, receive, send_hardened)


def json_answer_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The headers this middleware gives a route's JSON answer — its content type first, then the security
    headers and the CSP — but the length and the request id: for the lean answers that reply before it
    (paht.fastpath), worked out by the middleware's own code."""
    hardening = HardeningMiddleware(None, settings, docs_enabled=False)  # type: ignore[arg-type]  # never called
    json = [(b"content-type", b"application/json")]
    return hardening.headers.applied(json, csp=hardening._csp_for(""), cookie=hardening._harden_cookie)
