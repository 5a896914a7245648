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

A lean write (`LeanWrite`, paht.intake.fast) takes a POST whose body it can read whole: it reads the body
and answers, or leaves the request to the route with the body handed on unread (`replayed`). Whatever it
did before the route answers instead is rolled back, and an Idempotency-Key keeps a request that is run
again from making a second report. Only a failure after its commit (a flush of the WAL, `OSError`) is not
run again: the caller gets the generic error the security middleware would give.
"""

from __future__ import annotations

import logging
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from paht.config import Settings
from paht.deps import language_of
from paht.security.middleware import json_answer_headers, request_id_of
from paht.security.pages import server_error

log = logging.getLogger("paht.fastpath")

LANGUAGE_HEADERS = (b"cookie", b"accept-language")
MAX_LEAN_BODY = 64 * 1024  # bytes a lean write reads; a longer body goes to the route unread


class LeanAnswer(Protocol):
    async def answer(self, scope: Scope, path: str) -> bytes | None:
        """The JSON body of a 200 answer to this GET request (`path` as the routes see it), or None to leave it
        to the route."""
        ...


class LeanWrite(Protocol):
    def takes(self, scope: Scope, path: str) -> bool:
        """Whether to read this POST's body and offer it to `answer` (`path` as the routes see it)."""
        ...

    async def answer(self, scope: Scope, body: bytes) -> Response | None:
        """The answer to the request, or None to leave it to the route (having changed nothing)."""
        ...


def header_values(scope: Scope, name: bytes) -> list[bytes]:
    """Every value of the request header `name` (lower case, as ASGI gives names), in order."""
    return [value for header, value in scope["headers"] if header == name]


def bearer_token(scope: Scope) -> str | None:
    """The first Authorization header's bearer token, read as FastAPI's `HTTPBearer` reads it."""
    values = header_values(scope, b"authorization")
    if not values:
        return None
    scheme, _, token = values[0].decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


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
    def __init__(self, settings: Settings, answers: list[LeanAnswer], writes: list[LeanWrite] | None = None) -> None:
        self.answers, self.writes = answers, writes or []
        content_type, *security = json_answer_headers(settings)
        self.content_type, self.security = content_type, security
        self.cross_origin = bool(settings.cors_allowed_origins)

    async def answered(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """None when a lean answer has answered this HTTP request; otherwise what the full stack reads the
        request's body from (the body handed on when a lean write read it)."""
        if self.cross_origin and header_values(scope, b"origin"):
            return receive
        if scope["method"] == "GET":
            return None if await self._read_answered(scope, send) else receive
        if scope["method"] == "POST" and self.writes:
            return await self._write_answered(scope, receive, send)
        return receive

    async def _read_answered(self, scope: Scope, send: Send) -> bool:
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

    async def _write_answered(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        path = route_path(scope)
        lean = next((write for write in self.writes if write.takes(scope, path)), None)
        length = _content_length(scope)
        if lean is None or length is None or length > MAX_LEAN_BODY:
            return receive
        body, ended = await _read_body(receive)
        if ended:  # the client went away before the body's end: the route sees the disconnect
            return _disconnected
        try:
            response = await lean.answer(scope, body)
        except OSError:  # after the commit (a WAL flush): not run again, as the route would not be
            request_id = request_id_of(scope)
            log.exception("unhandled error request_id=%s POST %s", request_id, path)
            await self._send(scope, send, bytes(server_error(scope, request_id).body), status=500)
            return None
        except Exception:
            log.exception("lean write failed; FastAPI answers instead: %s", path)
            return replayed(body, receive)
        if response is None:
            return replayed(body, receive)
        await self._send(scope, send, bytes(response.body), status=response.status_code)
        return None

    async def _send(self, scope: Scope, send: Send, body: bytes, *, status: int = 200) -> None:
        length = (b"content-length", str(len(body)).encode())
        request_id = (b"x-request-id", request_id_of(scope).encode())
        headers = [self.content_type, length, *self.security, request_id]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    """The one Content-Length the request declares (none, several, or a chunked body: None)."""
    lengths, chunked = header_values(scope, b"content-length"), header_values(scope, b"transfer-encoding")
    return int(lengths[0]) if len(lengths) == 1 and lengths[0].isdigit() and not chunked else None


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request's body, and whether the client disconnected before its end."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(parts), True
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), False


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}


def replayed(body: bytes, receive: Receive) -> Receive:
    """A receive channel that gives `body` first, whole, then whatever the client sends next (a disconnect):
    for an app that reads a body someone has read already (a lean write, a bounded upload)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
