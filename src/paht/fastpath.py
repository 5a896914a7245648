"""Lean answers: the hottest reads answered before FastAPI (paht.publishing.fast, paht.stats.fast,
paht.reports.fast), and what they share — the path as the routes see it, the caller's language, and the
answer's headers.

`LeanFront` is asked first by the application (`paht.main.PahtApp`), before Starlette's error middleware,
FastAPI's telemetry middleware and the security middleware: those layers and their send wrappers were about
a tenth of the public report's CPU (W2; ~0.16 ms a request through the server). Because an answer given here
passes none of them, it gets their work done here: the security middleware's own headers for a JSON answer
(`json_answer_headers`, worked out by that middleware's code, once) and a request id as it would give one.
Anything a lean answer does not answer, or fails to answer (an unexpected error is logged), goes on to the
full stack, which stays the reference. Requests that carry an Origin header while CORS is configured go on
too, so that the CORS middleware answers them with its headers.
"""

from __future__ import annotations

import logging
from typing import Protocol

from starlette.requests import Request
from starlette.types import Scope, Send

from paht.config import Settings
from paht.deps import language_of
from paht.security.middleware import json_answer_headers, request_id_of

log = logging.getLogger("paht.fastpath")

LANGUAGE_HEADERS = (b"cookie", b"accept-language")


class LeanAnswer(Protocol):
    async def answer(self, scope: Scope, path: str) -> bytes | None:
        """The JSON body of a 200 answer to this GET request (`path` as the routes see it), or None to leave it
        to the route."""
        ...


def route_path(scope: Scope) -> str:
    """The path as the routes see it: without the prefix the app is mounted under (`--root-path`)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def language_of_scope(scope: Scope) -> str:
    """`paht.deps.language_of`, without building a Request for the common visit that names no language."""
    if scope["query_string"] or any(name in LANGUAGE_HEADERS for name, _ in scope["headers"]):
        return language_of(Request(scope))
    return "vi"


class LeanFront:
    def __init__(self, settings: Settings, answers: list[LeanAnswer]) -> None:
        self.answers = answers
        content_type, *security = json_answer_headers(settings)
        self.content_type, self.security = content_type, security
        self.cross_origin = bool(settings.cors_allowed_origins)

    async def answered(self, scope: Scope, send: Send) -> bool:
        """Whether a lean answer has answered this HTTP request."""
        if scope["method"] != "GET" or (self.cross_origin and any(n == b"origin" for n, _ in scope["headers"])):
            return False
        path = route_path(scope)
        for lean in self.answers:
            try:
                body = await lean.answer(scope, path)
            except Exception:  # a defect in a lean answer must not cost the caller the route's answer
                log.exception("lean answer failed; FastAPI answers instead: %s", path)
                return False
            if body is not None:
                await self._send(scope, send, body)
                return True
        return False

    async def _send(self, scope: Scope, send: Send, body: bytes) -> None:
        length = (b"content-length", str(len(body)).encode())
        request_id = (b"x-request-id", request_id_of(scope).encode())
        headers = [self.content_type, length, *self.security, request_id]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
